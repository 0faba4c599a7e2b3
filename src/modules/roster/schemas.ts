import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'

/**
 * Request and response shapes of the roster.
 *
 * Response items make every field optional: the policy engine's projection removes the keys
 * a role may not read, so an answer for a homeroom teacher is a subset of the admin's.
 * Request bodies are strict (unknown keys → 400) and hold only fields some role may write;
 * whether this caller may write them is the policy's call (assertWritable → 400).
 */

export const Genders = ['M', 'F'] as const
export const StudentStatuses = ['enrolled', 'left', 'graduated'] as const
export const UserStatuses = ['active', 'disabled'] as const
export const UserLocales = ['zh-CN', 'en'] as const
export const HolidayKinds = ['spring_festival', 'national_day', 'summer', 'winter', 'labour_day', 'other'] as const
/** Roles a school admin may hand out; district accounts are made by the bureau, never here. */
export const AssignableRoles = ['psych_teacher', 'homeroom_teacher', 'peer_monitor', 'mentor', 'school_admin'] as const
/** Roles bound to one class of the school (班主任, 心理委员). */
export const ClassBoundRoles: readonly string[] = ['homeroom_teacher', 'peer_monitor']

/** The shared date schema (a real date from 1900 to 2200); re-exported for the modules that import it from here. */
import { CalendarDate, isCalendarDate } from '../../lib/schemas.js'
export { CalendarDate, isCalendarDate }

const nonEmpty = (o: object) => Object.keys(o).length > 0
const NON_EMPTY = { message: 'at least one field' }

const Text = (max: number) => z.string().trim().min(1).max(max)
export const StudentNo = z.string().trim().regex(/^[A-Za-z0-9_-]{1,32}$/, '学号: letters, digits, - and _')
/** 学籍号: letters and digits, stored upper-case so one pupil's number is never two. */
export const NationalId = z.string().trim().toUpperCase().regex(/^[A-Z0-9]{6,32}$/, '学籍号: letters and digits, 6 to 32')
export const Phone = z.string().trim().regex(/^\+?[0-9][0-9 -]{5,22}[0-9]$/, 'phone number')

// ── grades & classes ──────────────────────────────────────────────────────────────────

export const GradeItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  level: z.number(),
  name: z.string(),
}).partial()

export const GradeCreate = z.strictObject({
  level: z.number().int().min(1).max(12),
  name: Text(20).optional(),
})

export const ClassItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  gradeId: z.string(),
  name: z.string(),
  seq: z.number(),
  createdAt: z.date(),
}).partial()

export const ClassListQuery = Pagination.extend({ gradeId: z.uuid().optional() })

export const ClassCreate = z.strictObject({
  gradeId: z.uuid(),
  seq: z.number().int().min(1).max(99),
  /** Defaults to 七年级(1)班 from the grade and seq. */
  name: Text(40).optional(),
})

export const ClassPatch = z.strictObject({
  gradeId: z.uuid().optional(),
  seq: z.number().int().min(1).max(99).optional(),
  name: Text(40).optional(),
}).refine(nonEmpty, NON_EMPTY)

// ── students ──────────────────────────────────────────────────────────────────────────

export const StudentItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentNo: z.string(),
  nationalId: z.string().nullable(),
  name: z.string(),
  gender: z.enum(Genders),
  birthDate: z.string().nullable(),
  classId: z.string(),
  status: z.enum(StudentStatuses),
  leftAt: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).partial()

export const StudentSortFields = ['studentNo', 'name', 'gender', 'birthDate', 'classId', 'status', 'createdAt', 'updatedAt'] as const
export type StudentSortField = (typeof StudentSortFields)[number]

/** `sort=name:asc,studentNo:desc` → [{ field, dir }]; only listed fields, at most three. */
export function sortParam<const F extends readonly [string, ...string[]]>(fields: F) {
  const one = new RegExp(`^(${fields.join('|')}):(asc|desc)$`)
  return z.string().max(200)
    .refine((s) => s.split(',').length <= 3 && s.split(',').every((p) => one.test(p.trim())), `field:asc|desc, fields: ${fields.join(', ')}`)
    .transform((s) => s.split(',').map((p) => {
      const [field, dir] = p.trim().split(':') as [F[number], 'asc' | 'desc']
      return { field, dir }
    }))
}

export const StudentListQuery = Pagination.extend({
  classId: z.uuid().optional(),
  status: z.enum(StudentStatuses).optional(),
  /** Name (contains) or 学号 (prefix). */
  q: z.string().trim().min(1).max(50).optional(),
  sort: sortParam(StudentSortFields).optional(),
})

const studentFields = {
  studentNo: StudentNo,
  nationalId: NationalId.nullable(),
  name: Text(50),
  gender: z.enum(Genders),
  birthDate: CalendarDate.nullable(),
  classId: z.uuid(),
  status: z.enum(StudentStatuses),
  leftAt: CalendarDate.nullable(),
}

export const StudentCreate = z.strictObject({
  ...studentFields,
  birthDate: studentFields.birthDate.optional(),
  nationalId: studentFields.nationalId.optional(),
  status: studentFields.status.optional(),
  leftAt: studentFields.leftAt.optional(),
})

export const StudentPatch = z.strictObject(studentFields).partial().refine(nonEmpty, NON_EMPTY)

// ── guardians ─────────────────────────────────────────────────────────────────────────

export const GuardianItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  name: z.string(),
  relation: z.string(),
  isPrimary: z.boolean(),
  phone: z.string().nullable(),
  createdAt: z.date(),
}).partial()

export const GuardianCreate = z.strictObject({
  name: Text(50),
  relation: Text(20).optional(),
  phone: Phone.nullable().optional(),
  isPrimary: z.boolean().optional(),
})

export const GuardianPatch = z.strictObject({
  name: Text(50).optional(),
  relation: Text(20).optional(),
  phone: Phone.nullable().optional(),
  isPrimary: z.boolean().optional(),
}).refine(nonEmpty, NON_EMPTY)

// ── users & roles ─────────────────────────────────────────────────────────────────────

export const UserItem = z.object({
  id: z.string(),
  schoolId: z.string().nullable(),
  districtId: z.string().nullable(),
  username: z.string(),
  displayName: z.string(),
  status: z.enum(UserStatuses),
  locale: z.string(),
  createdAt: z.date(),
  passwordChangedAt: z.date(),
  /** The account can only change its password until it does (a new account, a reset). */
  mustChangePassword: z.boolean(),
}).partial()

/** Shown once to the admin to hand over; only its hash is stored. */
export const PasswordResetResult = z.object({ oneTimePassword: z.string() })

export const UserListQuery = Pagination.extend({
  status: z.enum(UserStatuses).optional(),
  /** Username or display name prefix. */
  q: z.string().trim().min(1).max(50).optional(),
})

export const RoleGrantBody = z.strictObject({
  role: z.enum(AssignableRoles),
  classId: z.uuid().optional(),
})

export const UserCreate = z.strictObject({
  username: z.string().trim().regex(/^[A-Za-z0-9._-]{3,64}$/, '3–64 letters, digits, . _ -'),
  displayName: Text(50),
  /** Initial password; the hash is stored, the password never. */
  password: z.string().min(1).max(200),
  locale: z.enum(UserLocales).optional(),
  roles: z.array(RoleGrantBody).max(10).optional(),
})

export const UserPatch = z.strictObject({
  displayName: Text(50).optional(),
  status: z.enum(UserStatuses).optional(),
  locale: z.enum(UserLocales).optional(),
}).refine(nonEmpty, NON_EMPTY)

export const UserRoleItem = z.object({
  id: z.string(),
  userId: z.string(),
  schoolId: z.string().nullable(),
  districtId: z.string().nullable(),
  role: z.string(),
  classId: z.string().nullable(),
  createdAt: z.date(),
}).partial()

// ── calendar ──────────────────────────────────────────────────────────────────────────

const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/, 'YYYY-YYYY')
  .refine((s) => Number(s.slice(5)) === Number(s.slice(0, 4)) + 1, 'consecutive years')

export const TermItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  schoolYear: z.string(),
  semester: z.number(),
  name: z.string(),
  startDate: z.string(),
  endDate: z.string(),
}).partial()

export const TermCreate = z.strictObject({
  schoolYear: SchoolYear,
  /** 1 = 上学期 (autumn), 2 = 下学期 (spring) */
  semester: z.union([z.literal(1), z.literal(2)]),
  name: Text(40).optional(),
  startDate: CalendarDate,
  endDate: CalendarDate,
})

export const TermPatch = z.strictObject({
  schoolYear: SchoolYear.optional(),
  semester: z.union([z.literal(1), z.literal(2)]).optional(),
  name: Text(40).optional(),
  startDate: CalendarDate.optional(),
  endDate: CalendarDate.optional(),
}).refine(nonEmpty, NON_EMPTY)

export const HolidayItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  name: z.string(),
  kind: z.string(),
  startDate: z.string(),
  endDate: z.string(),
  major: z.boolean(),
}).partial()

export const HolidayListQuery = Pagination.extend({
  /** Holidays that end on or after this date. */
  from: CalendarDate.optional(),
  /** Holidays that start on or before this date. */
  to: CalendarDate.optional(),
})

export const HolidayCreate = z.strictObject({
  name: Text(40),
  kind: z.enum(HolidayKinds).optional(),
  startDate: CalendarDate,
  endDate: CalendarDate,
  /** 重大节假日: the first school day after it brings the 返校必谈 duty. */
  major: z.boolean().optional(),
})

export const HolidayPatch = z.strictObject({
  name: Text(40).optional(),
  kind: z.enum(HolidayKinds).optional(),
  startDate: CalendarDate.optional(),
  endDate: CalendarDate.optional(),
  major: z.boolean().optional(),
}).refine(nonEmpty, NON_EMPTY)

// ── import ────────────────────────────────────────────────────────────────────────────

export const ImportResult = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  rows: z.number(),
})
