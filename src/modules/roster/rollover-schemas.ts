import { z } from 'zod'
import { MAX_ENTRY_CLASSES } from './rollover-plan.js'

/** 2026-2027: two years, the second the first plus one. */
const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/).refine((s) => Number(s.slice(5)) === Number(s.slice(0, 4)) + 1, { message: 'the second year follows the first' })

export const RolloverRequest = z.strictObject({
  /** The school year that begins; by default the one starting this September (from June on). */
  schoolYear: SchoolYear.optional(),
  /** New classes per entry grade (七年级, 高一 …); by default as many as that grade has now. */
  entryClasses: z.array(z.strictObject({
    level: z.number().int().min(1).max(12),
    count: z.number().int().min(0).max(MAX_ENTRY_CLASSES),
  })).max(12).optional(),
})

const Move = z.object({ classId: z.string(), fromLevel: z.number(), toLevel: z.number(), fromName: z.string(), toName: z.string(), students: z.number() })
const Graduation = z.object({ classId: z.string(), level: z.number(), gradeName: z.string(), name: z.string(), students: z.number() })

export const RolloverPlan = z.object({
  schoolYear: z.string(),
  stages: z.array(z.object({ entry: z.number(), top: z.number() })),
  moves: z.array(Move),
  graduations: z.array(Graduation),
  graduatingStudents: z.number(),
  entryClasses: z.array(z.object({ level: z.number(), seq: z.number(), name: z.string() })),
  entryDefaults: z.array(z.object({ level: z.number(), name: z.string(), count: z.number() })),
  newGrades: z.array(z.object({ level: z.number(), name: z.string() })),
  grantsEnding: z.array(z.object({ id: z.string(), userId: z.string(), displayName: z.string(), role: z.string(), classId: z.string(), className: z.string() })),
})

export const RolloverApplied = RolloverPlan.extend({ id: z.string() })

export const RolloverItem = z.object({
  id: z.string(),
  schoolYear: z.string(),
  appliedAt: z.date(),
  undoneAt: z.date().nullable(),
  summary: z.object({ moved: z.number(), graduatedClasses: z.number(), graduatedStudents: z.number(), entryClasses: z.number(), grantsEnded: z.number() }),
  /** Whether the undo is still open, and if not, why: the code, and the message in the caller's language. */
  undo: z.object({ allowed: z.boolean(), reason: z.string().optional(), params: z.record(z.string(), z.string()).optional(), message: z.string().optional() }),
})
