import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { PairingItem } from './pairing-schemas.js'
import { CalendarDate, QueryBool, Text, Timestamp } from './route-parts.js'

/** A member's part in a 多帮一 team: 负责人, 班主任, 心理教师, 科任教师, other. */
export const TeamRoles = ['leader', 'homeroom', 'psychology', 'subject_teacher', 'other'] as const

export const TeamMember = z.strictObject({
  userId: z.uuid(),
  teamRole: z.enum(TeamRoles),
})

export const TeamCreate = z.strictObject({
  purpose: Text(200),
  startDate: CalendarDate.optional(),
  members: z.array(TeamMember).min(1).max(20),
})

export const TeamEnd = z.strictObject({ endedReason: Text(200).optional() })

export const TeamListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  active: QueryBool.optional(),
})

export const TeamItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  purpose: z.string(),
  startDate: z.string(),
  endedAt: Timestamp.nullable(),
  endedReason: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  /** The members' pairings (ended ones included), as the caller reads pairings. */
  members: z.array(PairingItem),
}).partial()

export const MemberParams = z.strictObject({ id: z.uuid(), memberId: z.uuid() })
