import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, boolean, smallint, integer, jsonb, timestamp, primaryKey, unique, foreignKey, index,
} from 'drizzle-orm/pg-core'
import { schools } from './org.js'
import { students } from './people.js'
import { users } from './auth.js'

/**
 * Screening instruments as data (PHQ-9/PHQ-A, GAD-7 built in; schools may add their own).
 * Reference table: global rows have school_id null, a school's own rows carry it.
 */
export const instruments = pgTable('instruments', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  schoolId: uuid('school_id').references(() => schools.id),
  code: text('code').notNull(),
  version: integer('version').notNull().default(1),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  /** Items, options, scoring, bands and safety items: see src/modules/screening/instrument-schema.ts */
  definition: jsonb('definition').notNull(),
  licence: text('licence').notNull(),
  builtIn: boolean('built_in').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [unique('instruments_code_version_uq').on(t.schoolId, t.code, t.version).nullsNotDistinct()])

/** 心理测评 campaign: annual, by grade, with a window. */
export const screeningCampaigns = pgTable('screening_campaigns', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  schoolYear: text('school_year').notNull(),
  instrumentIds: uuid('instrument_ids').array().notNull(),
  gradeLevels: smallint('grade_levels').array().notNull(),
  startDate: date('start_date').notNull(),
  endDate: date('end_date').notNull(),
  /** planned | open | closed */
  status: text('status').notNull().default('planned'),
  /**
   * 知情同意: answers are taken only from students whose guardian gave consent (and who did
   * not refuse assent). Required unless the school turns it off for a campaign.
   */
  consentRequired: boolean('consent_required').notNull().default(true),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.id] })])

/** One student's answers to one instrument in one campaign; scores are computed on the server. */
export const screeningResponses = pgTable('screening_responses', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  campaignId: uuid('campaign_id').notNull(),
  studentId: uuid('student_id').notNull(),
  instrumentId: uuid('instrument_id').notNull().references(() => instruments.id),
  answers: smallint('answers').array().notNull(),
  totalScore: integer('total_score').notNull(),
  band: text('band').notNull(),
  /** red | orange | yellow | green, from the band */
  suggestedRisk: text('suggested_risk').notNull(),
  /** A safety item (PHQ item 9) answered ≥ 1. */
  safetyFlag: boolean('safety_flag').notNull().default(false),
  confirmedRisk: text('confirmed_risk'),
  confirmReason: text('confirm_reason'),
  confirmedBy: uuid('confirmed_by').references(() => users.id),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  screenedOn: date('screened_on').notNull(),
  /** api | import */
  source: text('source').notNull().default('api'),
  enteredBy: uuid('entered_by').references(() => users.id),
  /** Why the answers were taken without the guardian's given consent (an explicit, audited override). */
  consentOverrideReason: text('consent_override_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('screening_responses_once_uq').on(t.schoolId, t.campaignId, t.studentId, t.instrumentId),
  foreignKey({ columns: [t.schoolId, t.campaignId], foreignColumns: [screeningCampaigns.schoolId, screeningCampaigns.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('screening_responses_student_idx').on(t.schoolId, t.studentId),
])

/**
 * 知情同意 of one student for one campaign: the guardian's consent (returned reply slip) and
 * the student's own assent, each with who recorded it and when. No row means the slip has not
 * come back and the student was not asked.
 */
export const screeningConsents = pgTable('screening_consents', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  campaignId: uuid('campaign_id').notNull(),
  studentId: uuid('student_id').notNull(),
  /** given | refused | not_returned */
  guardianConsent: text('guardian_consent').notNull().default('not_returned'),
  guardianRecordedBy: uuid('guardian_recorded_by').references(() => users.id),
  guardianRecordedAt: timestamp('guardian_recorded_at', { withTimezone: true }),
  /** given | refused | not_asked */
  studentAssent: text('student_assent').notNull().default('not_asked'),
  assentRecordedBy: uuid('assent_recorded_by').references(() => users.id),
  assentRecordedAt: timestamp('assent_recorded_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('screening_consents_once_uq').on(t.schoolId, t.campaignId, t.studentId),
  foreignKey({ columns: [t.schoolId, t.campaignId], foreignColumns: [screeningCampaigns.schoolId, screeningCampaigns.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('screening_consents_student_idx').on(t.schoolId, t.studentId),
])

/** 关注名单: students teachers should keep an eye on, with or without a screening. */
export const careList = pgTable('care_list', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  riskLevel: text('risk_level').notNull(),
  /** Why (clinical; psychology teachers only). */
  reason: text('reason'),
  /** Care instructions addressed to the homeroom teacher and mentors (no clinical detail). */
  guidance: text('guidance'),
  sourceResponseId: uuid('source_response_id'),
  addedBy: uuid('added_by').references(() => users.id),
  addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  removedAt: timestamp('removed_at', { withTimezone: true }),
  removedReason: text('removed_reason'),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('care_list_student_idx').on(t.schoolId, t.studentId),
])
