import { sql } from 'drizzle-orm'
import { pgTable, uuid, text, timestamp, date, primaryKey, foreignKey, index, uniqueIndex } from 'drizzle-orm/pg-core'
import { sealedText } from '../../src/crypto/sealed.js'
import { schools } from './org.js'
import { students } from './people.js'
import { users } from './auth.js'

/**
 * A school's data keys for free-text notes at rest (AES-256-GCM): each is random, stored only
 * wrapped (sealed) by the master key named in master_key_id, never in the clear. Every
 * encrypted value names the key that sealed it, so retiring a key (a new active one) leaves
 * old values readable, and re-wrapping under a new master key touches only these rows.
 */
export const schoolKeys = pgTable('school_keys', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  wrappedKey: text('wrapped_key').notNull(),
  masterKeyId: text('master_key_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set when a newer key took over new writes; values it sealed stay readable. */
  retiredAt: timestamp('retired_at', { withTimezone: true }),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  uniqueIndex('school_keys_active_uq').on(t.schoolId).where(sql`${t.retiredAt} is null`),
])

/**
 * 转学: a pupil's transfer package from the sending school (school_id) to another XinAn school
 * (to_school_id). Only the parts the sending psychology teacher chose travel, sealed in
 * `payload`; the receiving school sees the row only once it was sent and, before acceptance,
 * nothing of the payload. status: draft | sent | viewed | accepted | declined | cancelled.
 */
export const studentTransfers = pgTable('student_transfers', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  /** 学籍号, copied so the receiving school can match its own pupil record. */
  nationalId: text('national_id').notNull(),
  toSchoolId: uuid('to_school_id').notNull().references(() => schools.id),
  status: text('status').notNull().default('draft'),
  /** Which parts travel: open_risk | safety_plan | referrals | summary (chosen explicitly). */
  parts: text('parts').array().notNull(),
  /** The chosen parts' contents, sealed with the application's notes encryption. */
  payload: sealedText('student_transfers', 'payload', { crossSchool: true }).notNull(),
  consentGuardian: text('consent_guardian'),
  /** 书面 | 电话 | 当面 — how the guardian agreed */
  consentMethod: text('consent_method'),
  consentDate: date('consent_date'),
  preparedBy: uuid('prepared_by').references(() => users.id),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  viewedAt: timestamp('viewed_at', { withTimezone: true }),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  decidedBy: uuid('decided_by').references(() => users.id),
  declineReason: text('decline_reason'),
  remindedAt: timestamp('reminded_at', { withTimezone: true }),
  /** The receiving school's own record of the pupil, once accepted. */
  receivedStudentId: uuid('received_student_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('student_transfers_to_idx').on(t.toSchoolId, t.status),
  uniqueIndex('student_transfers_open_uq').on(t.schoolId, t.studentId).where(sql`${t.status} in ('draft', 'sent', 'viewed')`),
])
