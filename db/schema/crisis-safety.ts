import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, smallint, jsonb, timestamp, primaryKey, foreignKey, index, unique, check,
} from 'drizzle-orm/pg-core'
import { sealedJson, sealedText } from '../../src/crypto/sealed.js'
import { schools } from './org.js'
import { students } from './people.js'
import { users } from './auth.js'
import { crisisEvents } from './cases.js'

/**
 * 简要自杀安全评估 (the NIMH ASQ toolkit's Brief Suicide Safety Assessment): one per crisis
 * event. The answers are checked against the form definition they name (code and version),
 * so an answer always reads against the wording that was asked.
 */
export const safetyAssessments = pgTable('safety_assessments', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  crisisId: uuid('crisis_id').notNull(),
  studentId: uuid('student_id').notNull(),
  caseId: uuid('case_id'),
  formCode: text('form_code').notNull(),
  formVersion: smallint('form_version').notNull(),
  answers: sealedJson<unknown>('safety_assessments', 'answers').notNull(),
  /** emergency | safety_plan | none */
  disposition: text('disposition').notNull(),
  /** safety_plan: the follow-up date. */
  followUpOn: date('follow_up_on'),
  /** none: why no further action is needed. */
  reason: sealedText('safety_assessments', 'reason'),
  /** emergency: the urgent referral it opened. */
  referralId: uuid('referral_id'),
  assessedBy: uuid('assessed_by').references(() => users.id),
  assessedAt: timestamp('assessed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('safety_assessments_crisis_uq').on(t.schoolId, t.crisisId),
  foreignKey({ columns: [t.schoolId, t.crisisId], foreignColumns: [crisisEvents.schoolId, crisisEvents.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  check('safety_assessments_disposition_ck', sql`${t.disposition} in ('emergency', 'safety_plan', 'none')
    and (${t.disposition} <> 'safety_plan' or ${t.followUpOn} is not null)
    and (${t.disposition} <> 'none' or ${t.reason} is not null)
    and (${t.disposition} <> 'emergency' or ${t.referralId} is not null)`),
])

/**
 * 告知记录: who was told of a crisis, when and how (辅导室指南: when there is a risk of harm
 * the 班主任 and the guardians are told, and it is recorded). A guardian deliberately not told
 * is a row of its own that carries the reason instead of a channel.
 */
export const crisisDisclosures = pgTable('crisis_disclosures', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  crisisId: uuid('crisis_id').notNull(),
  studentId: uuid('student_id').notNull(),
  /** homeroom_teacher | guardian | school_leader | other */
  role: text('role').notNull(),
  /** in_person | phone | message | other; null when the guardian was not told. */
  channel: text('channel'),
  toldAt: timestamp('told_at', { withTimezone: true }),
  note: text('note'),
  notToldReason: text('not_told_reason'),
  recordedBy: uuid('recorded_by').references(() => users.id),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.crisisId], foreignColumns: [crisisEvents.schoolId, crisisEvents.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  // Told (a channel and a time) or a guardian not told (the reason) is the service's rule
  // (crisis-disclosure-service.ts), not a CHECK: the leak scan fills every text column of a row.
  index('crisis_disclosures_crisis_idx').on(t.schoolId, t.crisisId),
])

/**
 * A school's own Chinese wording of a safety assessment form's items: item key → zh-CN text.
 * The structure, the English text and the answers' meaning stay the form's; only what the
 * psychology teacher reads aloud changes, so answers recorded before still read true.
 */
export const safetyFormWordings = pgTable('safety_form_wordings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  formCode: text('form_code').notNull(),
  texts: jsonb('texts').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('safety_form_wordings_form_uq').on(t.schoolId, t.formCode),
])
