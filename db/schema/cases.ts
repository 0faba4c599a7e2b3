import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, smallint, integer, timestamp, primaryKey, foreignKey, index, unique,
} from 'drizzle-orm/pg-core'
import { sealedText } from '../../src/crypto/sealed.js'
import { schools } from './org.js'
import { students } from './people.js'
import { users } from './auth.js'

/** 积极干预: one case per episode of care. */
export const cases = pgTable('cases', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  openedBy: uuid('opened_by').references(() => users.id),
  /** screening | alert | talk | referral_back | letter | other */
  source: text('source').notNull(),
  sourceRef: uuid('source_ref'),
  /** red | orange | yellow | green (高危 / 较高 / 关注 / 一般) */
  riskLevel: text('risk_level').notNull(),
  /** open | intervening | monitoring | closed */
  state: text('state').notNull().default('open'),
  /** Sealed at rest (src/crypto/sealed.ts), as every free-text note. */
  summary: sealedText('cases', 'summary'),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('cases_student_idx').on(t.schoolId, t.studentId),
  index('cases_state_idx').on(t.schoolId, t.state),
])

/** Every transition and risk change: who, when, why. */
export const caseEvents = pgTable('case_events', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  caseId: uuid('case_id').notNull(),
  studentId: uuid('student_id').notNull(),
  fromState: text('from_state'),
  toState: text('to_state').notNull(),
  riskFrom: text('risk_from'),
  riskTo: text('risk_to'),
  reason: text('reason'),
  actorId: uuid('actor_id').references(() => users.id),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.caseId], foreignColumns: [cases.schoolId, cases.id] }),
  index('case_events_case_idx').on(t.schoolId, t.caseId),
])

export const interventionPlans = pgTable('intervention_plans', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  caseId: uuid('case_id').notNull(),
  studentId: uuid('student_id').notNull(),
  goals: text('goals').notNull(),
  measures: text('measures').notNull(),
  reviewDate: date('review_date').notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('intervention_plans_case_uq').on(t.schoolId, t.caseId),
  foreignKey({ columns: [t.schoolId, t.caseId], foreignColumns: [cases.schoolId, cases.id] }),
])

/** Individual or group counselling sessions; notes are for psychology teachers only. */
export const counsellingSessions = pgTable('counselling_sessions', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  caseId: uuid('case_id').notNull(),
  studentId: uuid('student_id').notNull(),
  /** individual | group */
  kind: text('kind').notNull(),
  sessionDate: date('session_date').notNull(),
  durationMin: smallint('duration_min').notNull(),
  notes: sealedText('counselling_sessions', 'notes'),
  /** Re-assessment at this session: a risk level, optional. */
  reassessedRisk: text('reassessed_risk'),
  reassessmentScore: integer('reassessment_score'),
  counsellorId: uuid('counsellor_id').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.caseId], foreignColumns: [cases.schoolId, cases.id] }),
  index('counselling_sessions_case_idx').on(t.schoolId, t.caseId),
])

/** 危机事件: opened by the safety rule or by hand; must be acknowledged before its deadline. */
export const crisisEvents = pgTable('crisis_events', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  caseId: uuid('case_id'),
  /** safety_rule | manual | alert | letter */
  source: text('source').notNull(),
  sourceRef: uuid('source_ref'),
  summary: text('summary'),
  /** open | acknowledged | resolved */
  status: text('status').notNull().default('open'),
  openedBy: uuid('opened_by').references(() => users.id),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  ackDeadline: timestamp('ack_deadline', { withTimezone: true }).notNull(),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
  escalatedAt: timestamp('escalated_at', { withTimezone: true }),
  /** Sends of the escalation chain so far (step 1 = 1; each repeat of the last step adds one). */
  escalationLevel: smallint('escalation_level').notNull().default(0),
  /** When the chain's next send is due; null before the first (the deadline plus step 1's interval). */
  nextEscalationAt: timestamp('next_escalation_at', { withTimezone: true }),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  /** Set by the safety assessment: its follow-up date (safety plan). */
  followUpOn: date('follow_up_on'),
  /** Set by an emergency disposition: parents must be contacted (and it logged) by this school day. */
  parentContactDueOn: date('parent_contact_due_on'),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }),
  index('crisis_events_status_idx').on(t.schoolId, t.status),
])

/** First steps of a crisis response, each ticked with who and when. */
export const crisisChecklist = pgTable('crisis_checklist', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  crisisId: uuid('crisis_id').notNull(),
  studentId: uuid('student_id').notNull(),
  /** parent_notified | escort | safety_assessment | leader_informed | referral_considered */
  item: text('item').notNull(),
  doneBy: uuid('done_by').references(() => users.id),
  doneAt: timestamp('done_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('crisis_checklist_item_uq').on(t.schoolId, t.crisisId, t.item),
  foreignKey({ columns: [t.schoolId, t.crisisId], foreignColumns: [crisisEvents.schoolId, crisisEvents.id] }),
])
