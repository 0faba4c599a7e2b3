import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, boolean, smallint, integer, timestamp, primaryKey, foreignKey, index, unique, check,
} from 'drizzle-orm/pg-core'
import { sealedText } from '../../src/crypto/sealed.js'
import { schools, classes } from './org.js'
import { students } from './people.js'
import { users } from './auth.js'

/**
 * Practices from the inspection reports: 解忧树洞 / 心理信箱, 心理晴雨表,
 * 心理辅导室 records and 心理健康教师 staffing.
 */

/**
 * 解忧树洞: one letter box per school. The slug is the public link (random, unguessable,
 * never the school id) and is a global lookup key, so it is unique on its own. `codeKey`
 * keys the HMAC of the reply codes; no role reads it.
 */
export const letterBoxes = pgTable('letter_boxes', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  slug: text('slug').notNull(),
  open: boolean('open').notNull().default(false),
  closedMessage: text('closed_message'),
  codeKey: text('code_key').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('letter_boxes_school_uq').on(t.schoolId),
  unique('letter_boxes_slug_uq').on(t.slug),
])

/**
 * An anonymous letter. Nothing identifies the writer beyond what they chose to write: no IP
 * address, user agent or time of day, only the calendar day (written_on). The reply code is
 * stored only as an HMAC; the code itself is shown once to the writer.
 */
export const letters = pgTable('letters', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  boxId: uuid('box_id').notNull(),
  writtenOn: date('written_on').notNull(),
  body: sealedText('letters', 'body').notNull(),
  writerName: text('writer_name'),
  writerClass: text('writer_class'),
  /** study | peers | family | emotion | other (学习 / 人际 / 家庭 / 情绪 / 其他); null until classified */
  category: text('category'),
  urgent: boolean('urgent').notNull().default(false),
  /** Flagged by a psychology teacher as signalling danger (the crisis path). */
  danger: boolean('danger').notNull().default(false),
  replyText: sealedText('letters', 'reply_text'),
  repliedOn: date('replied_on'),
  repliedBy: uuid('replied_by').references(() => users.id),
  replyCodeHash: text('reply_code_hash').notNull(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.boxId], foreignColumns: [letterBoxes.schoolId, letterBoxes.id] }),
  unique('letters_reply_code_uq').on(t.schoolId, t.replyCodeHash),
  index('letters_written_idx').on(t.schoolId, t.writtenOn),
])

/** 心理晴雨表: how often classes report (weekly | monthly). */
export const barometerSettings = pgTable('barometer_settings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id).primaryKey(),
  period: text('period').notNull().default('weekly'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * One class's barometer for one period from one submitter (班主任 or 心理委员). Classmates
 * named on the form become peer alerts; their names are not kept here.
 */
export const barometerEntries = pgTable('barometer_entries', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  classId: uuid('class_id').notNull(),
  /** 2026-W37 (weekly) or 2026-09 (monthly) */
  periodKey: text('period_key').notNull(),
  submittedBy: uuid('submitted_by').notNull().references(() => users.id),
  /** homeroom_teacher | peer_monitor */
  submitterRole: text('submitter_role').notNull(),
  /** 1 (very low) … 5 (very good) */
  mood: smallint('mood').notNull(),
  events: text('events'),
  namedCount: smallint('named_count').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.classId], foreignColumns: [classes.schoolId, classes.id] }),
  unique('barometer_entries_once_uq').on(t.schoolId, t.classId, t.periodKey, t.submittedBy),
  index('barometer_entries_submitter_idx').on(t.schoolId, t.submittedBy),
  check('barometer_entries_mood_ck', sql`${t.mood} between 1 and 5`),
])

/** 心理辅导室: where it is and when it is open. */
export const roomSettings = pgTable('room_settings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id).primaryKey(),
  location: text('location'),
  openingHours: text('opening_hours'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** A visit to the counselling room; student_id is null for an anonymous walk-in. */
export const roomVisits = pgTable('room_visits', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id'),
  visitDate: date('visit_date').notNull(),
  durationMin: smallint('duration_min').notNull(),
  /** study | peers | family | emotion | other */
  topic: text('topic').notNull(),
  /** none | revisit | case | referral */
  followUp: text('follow_up').notNull().default('none'),
  counsellorId: uuid('counsellor_id').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('room_visits_date_idx').on(t.schoolId, t.visitDate),
  index('room_visits_student_idx').on(t.schoolId, t.studentId),
])

/** 团体辅导: group sessions with an attendance count (no names). */
export const groupSessions = pgTable('group_sessions', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  sessionDate: date('session_date').notNull(),
  /**
   * Who the group is for (多帮一): general (any students), special_students (特殊群体学生,
   * e.g. 留守, 单亲) or special_parents (those students' parents).
   */
  kind: text('kind').notNull().default('general'),
  topic: text('topic').notNull(),
  attendance: integer('attendance').notNull(),
  durationMin: smallint('duration_min'),
  facilitatorId: uuid('facilitator_id').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('group_sessions_date_idx').on(t.schoolId, t.sessionDate),
  check('group_sessions_kind_ck', sql`${t.kind} in ('general', 'special_students', 'special_parents')`),
])

/** 心理健康教师基本情况: staff facts; a profile links a user account where there is one. */
export const staffProfiles = pgTable('staff_profiles', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').references(() => users.id),
  /** Only for staff without an account (e.g. a visiting part-time counsellor). */
  name: text('name'),
  /** full_time | part_time (专职 / 兼职) */
  employment: text('employment').notNull(),
  /** e.g. 心理咨询师三级, 心理健康教育C证 */
  qualifications: text('qualifications').array().notNull().default(sql`'{}'::text[]`),
  trainingHoursYear: integer('training_hours_year').notNull().default(0),
  /** The calendar year the training hours count for. */
  trainingYear: smallint('training_year').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('staff_profiles_user_uq').on(t.schoolId, t.userId),
  check('staff_profiles_who_ck', sql`${t.userId} is not null or ${t.name} is not null`),
])
