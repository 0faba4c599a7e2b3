import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, integer, smallint, boolean, timestamp, primaryKey, foreignKey, index,
} from 'drizzle-orm/pg-core'
import { sealedText } from '../../src/crypto/sealed.js'
import { schools } from './org.js'
import { students, guardians } from './people.js'
import { users } from './auth.js'

/**
 * 多帮一: a named team of staff around one student. Each member is a pairing
 * (pairings.team_id) so a member reads what a paired mentor reads, and only while the
 * team and their membership last; ending the team ends every member's pairing.
 */
export const supportTeams = pgTable('support_teams', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  purpose: text('purpose').notNull(),
  startDate: date('start_date').notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  endedReason: text('ended_reason'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('support_teams_student_idx').on(t.schoolId, t.studentId),
])

/** 师生结对: a mentor teacher paired with a student; access it grants ends with it. */
export const pairings = pgTable('pairings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  mentorId: uuid('mentor_id').notNull().references(() => users.id),
  purpose: text('purpose').notNull(),
  /** weekly | biweekly | monthly */
  frequency: text('frequency').notNull().default('weekly'),
  /** Guidance addressed to the mentor (no clinical detail). */
  guidance: text('guidance'),
  startDate: date('start_date').notNull(),
  plannedEndDate: date('planned_end_date'),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  endedReason: text('ended_reason'),
  /** Set when this pairing is one member's place in a 多帮一 support team (support_teams). */
  teamId: uuid('team_id'),
  /** The member's part in the team: leader | homeroom | psychology | subject_teacher | other */
  teamRole: text('team_role'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  foreignKey({ columns: [t.schoolId, t.teamId], foreignColumns: [supportTeams.schoolId, supportTeams.id] }),
  index('pairings_team_idx').on(t.schoolId, t.teamId),
  index('pairings_mentor_idx').on(t.schoolId, t.mentorId),
  index('pairings_student_idx').on(t.schoolId, t.studentId),
])

export const mentorContacts = pgTable('mentor_contacts', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  pairingId: uuid('pairing_id').notNull(),
  studentId: uuid('student_id').notNull(),
  mentorId: uuid('mentor_id').notNull().references(() => users.id),
  contactDate: date('contact_date').notNull(),
  /** talk | activity | home_visit | online */
  kind: text('kind').notNull(),
  summary: text('summary'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.pairingId], foreignColumns: [pairings.schoolId, pairings.id] }),
])

/** 同伴跟防: alerts from class psychology monitors (and from talks, barometers, letters). */
export const peerAlerts = pgTable('peer_alerts', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  classId: uuid('class_id').notNull(),
  submittedBy: uuid('submitted_by').references(() => users.id),
  /** monitor | talk | barometer | letter */
  source: text('source').notNull().default('monitor'),
  whatSeen: text('what_seen').notNull(),
  /** low | medium | high */
  urgency: text('urgency').notNull(),
  /** received | in_progress | handled */
  status: text('status').notNull().default('received'),
  ackDeadline: timestamp('ack_deadline', { withTimezone: true }).notNull(),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
  escalatedAt: timestamp('escalated_at', { withTimezone: true }),
  /** Sends of the escalation chain so far, as on crisis events. */
  escalationLevel: smallint('escalation_level').notNull().default(0),
  /** When the chain's next send is due; null before the first. */
  nextEscalationAt: timestamp('next_escalation_at', { withTimezone: true }),
  caseId: uuid('case_id'),
  handledNote: text('handled_note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('peer_alerts_status_idx').on(t.schoolId, t.status),
  index('peer_alerts_submitter_idx').on(t.schoolId, t.submittedBy),
])

/** A psychology teacher asks a monitor to keep an eye on a classmate; carries no clinical detail. */
export const peerWatchRequests = pgTable('peer_watch_requests', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  monitorId: uuid('monitor_id').notNull().references(() => users.id),
  requestedBy: uuid('requested_by').references(() => users.id),
  /** What to watch for, in everyday words. */
  ask: text('ask').notNull(),
  startDate: date('start_date').notNull(),
  endDate: date('end_date'),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
])

/** Short notes a monitor adds to a watch request: write-only for the monitor. */
export const peerWatchNotes = pgTable('peer_watch_notes', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  requestId: uuid('request_id').notNull(),
  studentId: uuid('student_id').notNull(),
  monitorId: uuid('monitor_id').notNull().references(() => users.id),
  note: text('note').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.requestId], foreignColumns: [peerWatchRequests.schoolId, peerWatchRequests.id] }),
])

/** 家校协同: contacts with parents, with consent to referral and the reason when not told. */
export const parentContacts = pgTable('parent_contacts', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  caseId: uuid('case_id'),
  guardianId: uuid('guardian_id'),
  /** phone | meeting | home_visit | online  (电话 / 面谈 / 家访 / 线上) */
  channel: text('channel').notNull(),
  contactDate: date('contact_date').notNull(),
  content: sealedText('parent_contacts', 'content'),
  outcome: sealedText('parent_contacts', 'outcome'),
  /** given | refused | not_asked */
  referralConsent: text('referral_consent').notNull().default('not_asked'),
  /** Required when the parents were deliberately not told. */
  notToldReason: text('not_told_reason'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  foreignKey({ columns: [t.schoolId, t.guardianId], foreignColumns: [guardians.schoolId, guardians.id] }),
  index('parent_contacts_student_idx').on(t.schoolId, t.studentId),
])

/** 家长学校 / 家访 / 家长会 per class or school, with attendance counts. */
export const homeSchoolActivities = pgTable('home_school_activities', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  classId: uuid('class_id'),
  /** parent_school | home_visit | parent_meeting */
  kind: text('kind').notNull(),
  title: text('title').notNull(),
  activityDate: date('activity_date').notNull(),
  attendance: integer('attendance').notNull().default(0),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.id] })])

/** Directory of institutions a school refers to (hospital psychiatry, mental-health centre). */
export const institutions = pgTable('institutions', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  /** hospital_psychiatry | mental_health_centre | counselling_centre | other */
  kind: text('kind').notNull(),
  department: text('department'),
  contactPhone: text('contact_phone'),
  address: text('address'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.id] })])

/** 及时转介: proposed → consented → sent → received → feedback → reassessed → closed. */
export const referrals = pgTable('referrals', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  caseId: uuid('case_id'),
  institutionId: uuid('institution_id').notNull(),
  /** Why the student is referred: what the receiving institution needs to know. */
  reason: text('reason').notNull(),
  state: text('state').notNull().default('proposed'),
  consentContactId: uuid('consent_contact_id'),
  proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  receivedOn: date('received_on'),
  /** Minimal feedback from the institution: sensitive. */
  feedback: sealedText('referrals', 'feedback'),
  feedbackAt: timestamp('feedback_at', { withTimezone: true }),
  followUpDate: date('follow_up_date').notNull(),
  /** 紧急转介: an emergency evaluation is needed the same day (a safety assessment's disposition). */
  urgent: boolean('urgent').notNull().default(false),
  /** 复学评估 */
  reassessedAt: timestamp('reassessed_at', { withTimezone: true }),
  reassessmentResult: text('reassessment_result'),
  reassessedRisk: text('reassessed_risk'),
  closedAt: timestamp('closed_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  foreignKey({ columns: [t.schoolId, t.institutionId], foreignColumns: [institutions.schoolId, institutions.id] }),
  index('referrals_state_idx').on(t.schoolId, t.state),
])

export const referralEvents = pgTable('referral_events', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  referralId: uuid('referral_id').notNull(),
  studentId: uuid('student_id').notNull(),
  fromState: text('from_state'),
  toState: text('to_state').notNull(),
  actorId: uuid('actor_id').references(() => users.id),
  note: text('note'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.referralId], foreignColumns: [referrals.schoolId, referrals.id] }),
])

