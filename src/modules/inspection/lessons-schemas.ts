import { z } from 'zod'
import { CalendarDate, Pagination } from '../../lib/schemas.js'

/**
 * 课程与活动 shapes. Response items make every field optional (the policy's projection decides
 * what a role reads); enumerated columns answer as plain strings so a stored value never
 * breaks an answer.
 */
export const LessonKinds = ['life_safety', 'mental_health', 'class_meeting', 'sunshine'] as const
export type LessonKind = (typeof LessonKinds)[number]
export const LessonSources = ['manual', 'timetable'] as const
export const ActivityKinds = ['mental_health_day', 'mental_health_month', 'opening_ceremony', 'other'] as const
export const ActivityReaches = ['school', 'grade', 'class'] as const

const Text = (max: number) => z.string().trim().min(1).max(max)
const Periods = z.number().int().min(1).max(10)

export const LessonItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  classId: z.string(),
  kind: z.string(),
  heldOn: z.string(),
  periods: z.number(),
  topic: z.string().nullable(),
  teacherId: z.string().nullable(),
  source: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
}).partial()

/** Quick entry: one class, one day, the kinds held that day (each with its 课时). */
export const LessonQuickEntry = z.strictObject({
  classId: z.uuid(),
  heldOn: CalendarDate,
  lessons: z.array(z.strictObject({
    kind: z.enum(LessonKinds),
    periods: Periods.optional(),
    topic: Text(200).optional(),
  })).min(1).max(LessonKinds.length),
})

export const LessonPatch = z.strictObject({
  periods: Periods.optional(),
  topic: Text(200).nullable().optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

export const LessonListQuery = Pagination.extend({
  classId: z.uuid().optional(),
  kind: z.enum(LessonKinds).optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

/**
 * Regular lessons from the timetable: for these classes, on each school day from `from` to
 * `to` whose weekday a pattern names (1 = Monday … 7 = Sunday), optionally every other week
 * counted from the week of `from`. Holidays and days outside a term are skipped.
 */
export const TimetableEntry = z.strictObject({
  classIds: z.array(z.uuid()).min(1).max(200),
  from: CalendarDate,
  to: CalendarDate,
  pattern: z.array(z.strictObject({
    weekday: z.number().int().min(1).max(7),
    kind: z.enum(LessonKinds),
    periods: Periods.optional(),
    everyOtherWeek: z.boolean().optional(),
  })).min(1).max(50),
  dryRun: z.boolean().optional(),
})

export const TimetableResult = z.object({
  dryRun: z.boolean(),
  /** School days in the range (in a term, not a holiday). */
  schoolDays: z.number(),
  /** Lessons the pattern gives for these classes. */
  planned: z.number(),
  /** Of those, already recorded (kept as they are). */
  existing: z.number(),
  /** Written now (0 on a dry run). */
  created: z.number(),
})

export const SummaryQuery = z.strictObject({ from: CalendarDate, to: CalendarDate })

const KindCount = z.object({ lessons: z.number(), periods: z.number() })
export const LessonSummary = z.object({
  from: z.string(),
  to: z.string(),
  classes: z.array(z.object({
    classId: z.string(),
    gradeLevel: z.number(),
    gradeName: z.string(),
    className: z.string(),
    months: z.array(z.object({
      month: z.string(),
      schoolDays: z.number(),
      schoolWeeks: z.number(),
      kinds: z.record(z.string(), KindCount),
    })),
    shortfalls: z.array(z.object({
      month: z.string(),
      kind: z.string(),
      unit: z.string(),
      held: z.number(),
      required: z.number(),
    })),
  })),
})

export const ActivityItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  kind: z.string(),
  title: z.string(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  reach: z.string(),
  gradeId: z.string().nullable(),
  classId: z.string().nullable(),
  participants: z.number(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
}).partial()

const activityFields = {
  kind: z.enum(ActivityKinds),
  title: Text(200),
  startsOn: CalendarDate,
  endsOn: CalendarDate.nullable(),
  reach: z.enum(ActivityReaches),
  gradeId: z.uuid().nullable(),
  classId: z.uuid().nullable(),
  participants: z.number().int().min(0).max(100000),
}
export const ActivityCreate = z.strictObject({
  ...activityFields,
  endsOn: activityFields.endsOn.optional(),
  gradeId: activityFields.gradeId.optional(),
  classId: activityFields.classId.optional(),
})
export const ActivityPatch = z.strictObject(activityFields).partial()
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })
export const ActivityListQuery = Pagination.extend({
  kind: z.enum(ActivityKinds).optional(),
  classId: z.uuid().optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})
