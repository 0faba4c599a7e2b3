import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, integer, timestamp, primaryKey, foreignKey, index, unique, uniqueIndex,
} from 'drizzle-orm/pg-core'
import { sealedJson, sealedText } from '../../src/crypto/sealed.js'
import { schools } from './org.js'
import { users } from './auth.js'
import { cases, crisisEvents } from './cases.js'

/** A person or service with a number to call (steps 4 and 5 of the plan). */
export interface SafetyPlanContact { name: string; phone?: string }

/**
 * 安全计划 (Stanley–Brown Safety Planning Intervention): written with the student after a
 * crisis, one active plan per case. Its content lives in versions: every save is a new
 * version, so what the student was given on a day can always be shown again.
 */
export const safetyPlans = pgTable('safety_plans', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  caseId: uuid('case_id').notNull(),
  studentId: uuid('student_id').notNull(),
  /** The crisis event that led to the plan, when there was one. */
  crisisId: uuid('crisis_id'),
  /** active | ended */
  status: text('status').notNull().default('active'),
  currentVersion: integer('current_version').notNull().default(1),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.caseId], foreignColumns: [cases.schoolId, cases.id] }),
  foreignKey({ columns: [t.schoolId, t.crisisId], foreignColumns: [crisisEvents.schoolId, crisisEvents.id] }),
  // One plan in force per case: two would give the student two different lists of whom to call.
  uniqueIndex('safety_plans_active_case_uq').on(t.schoolId, t.caseId).where(sql`status = 'active'`),
  index('safety_plans_student_idx').on(t.schoolId, t.studentId),
])

/** One saved state of a plan: the six steps and the reasons for living, each a list of short entries. */
export const safetyPlanVersions = pgTable('safety_plan_versions', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  planId: uuid('plan_id').notNull(),
  studentId: uuid('student_id').notNull(),
  version: integer('version').notNull(),
  /** Step 1: 预警信号 — thoughts, moods, situations that come before a crisis. */
  warningSigns: sealedJson<string[]>('safety_plan_versions', 'warning_signs').notNull(),
  /** Step 2: 自我应对 — what the student can do alone to take their mind off it. */
  copingStrategies: sealedJson<string[]>('safety_plan_versions', 'coping_strategies').notNull(),
  /** Step 3: 转移注意的人和场所 — people and places that offer distraction. */
  socialDistractions: sealedJson<string[]>('safety_plan_versions', 'social_distractions').notNull(),
  /** Step 4: 可以求助的人 — name and phone as the psychology teacher wrote them. */
  helpContacts: sealedJson<SafetyPlanContact[]>('safety_plan_versions', 'help_contacts').notNull(),
  /** Step 5: 专业人员和机构 — the school's psychology teachers, referral institutions, hotlines. */
  professionals: sealedJson<SafetyPlanContact[]>('safety_plan_versions', 'professionals').notNull(),
  /** Step 6: 让环境更安全 — means to be removed or locked away, and by whom. */
  environmentSafety: sealedJson<string[]>('safety_plan_versions', 'environment_safety').notNull(),
  /** 活下去的理由. */
  reasonsForLiving: sealedJson<string[]>('safety_plan_versions', 'reasons_for_living').notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('safety_plan_versions_version_uq').on(t.schoolId, t.planId, t.version),
  foreignKey({ columns: [t.schoolId, t.planId], foreignColumns: [safetyPlans.schoolId, safetyPlans.id] }),
])

/** A review of the plan with the student: at a follow-up, at 复学, or otherwise. */
export const safetyPlanReviews = pgTable('safety_plan_reviews', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  planId: uuid('plan_id').notNull(),
  studentId: uuid('student_id').notNull(),
  reviewedOn: date('reviewed_on').notNull(),
  reviewerId: uuid('reviewer_id').references(() => users.id),
  /** follow_up | return_to_school | other */
  context: text('context').notNull(),
  note: sealedText('safety_plan_reviews', 'note'),
  /** The version saved with this review, when the plan was changed. */
  newVersion: integer('new_version'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.planId], foreignColumns: [safetyPlans.schoolId, safetyPlans.id] }),
  index('safety_plan_reviews_plan_idx').on(t.schoolId, t.planId, t.reviewedOn),
])
