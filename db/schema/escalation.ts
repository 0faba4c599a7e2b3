import { sql } from 'drizzle-orm'
import { pgTable, uuid, text, integer, smallint, time, jsonb, timestamp, primaryKey, unique, index, check } from 'drizzle-orm/pg-core'
import { schools } from './org.js'
import { users } from './auth.js'

/**
 * 危机上报链: who is told, step by step, when a crisis event (kind 'crisis') or a peer alert
 * (kind 'alert') is not acknowledged. One chain per school and kind; a school without one uses
 * the built-in default (src/modules/escalation/chain.ts). `steps` is validated by zod before it
 * is written: [{ afterMinutes, recipients: { roles, userIds, onCall } }]; step 1's interval
 * counts from the acknowledgement deadline, every later one from the step before. After the
 * last step, that step is sent again every `repeatMinutes` until someone acknowledges.
 */
export const escalationChains = pgTable('escalation_chains', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** crisis | alert */
  kind: text('kind').notNull(),
  steps: jsonb('steps').notNull(),
  repeatMinutes: integer('repeat_minutes').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('escalation_chains_kind_uq').on(t.schoolId, t.kind),
])

/** 值班表: who is on call from when to when (nights, weekends, holidays). Overlaps are allowed: both are told. */
export const onCallShifts = pgTable('on_call_shifts', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').notNull().references(() => users.id),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('on_call_shifts_time_idx').on(t.schoolId, t.startsAt, t.endsAt),
  check('on_call_shifts_range_ck', sql`${t.endsAt} > ${t.startsAt}`),
])

/**
 * 在校时间: the hours of a school day (wall-clock in TZ_SCHOOL) on the given ISO weekdays
 * (1 = Monday). Outside them, on holidays and outside terms, a crisis goes to the teacher on call.
 */
export const schoolHours = pgTable('school_hours', {
  schoolId: uuid('school_id').notNull().references(() => schools.id).primaryKey(),
  dayStart: time('day_start').notNull(),
  dayEnd: time('day_end').notNull(),
  weekdays: smallint('weekdays').array().notNull().default(sql`'{1,2,3,4,5}'::smallint[]`),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  check('school_hours_range_ck', sql`${t.dayEnd} > ${t.dayStart}`),
])
