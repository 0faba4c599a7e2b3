import { sql } from 'drizzle-orm'
import { bigint, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { schools } from './org.js'

/**
 * 升年级: one row per school-year rollover, holding what it changed so that an undo puts
 * every class, student status and grant back exactly. Ids and prior values only (class names
 * are not personal); no student names.
 */
export const schoolYearRollovers = pgTable('school_year_rollovers', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** The school year that begins: 2026-2027. */
  schoolYear: text('school_year').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  appliedBy: uuid('applied_by'),
  undoneAt: timestamp('undone_at', { withTimezone: true }),
  undoneBy: uuid('undone_by'),
  /**
   * Sequence number of the rollover's last audit row. Any change audited for the school after
   * it means the new year has begun to be written, and the rollover can no longer be undone.
   */
  auditSeq: bigint('audit_seq', { mode: 'number' }).notNull(),
  /** RolloverChanges (src/modules/roster/rollover-plan.ts). */
  changes: jsonb('changes').notNull(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  // One rollover per school year; an undone one does not count.
  uniqueIndex('school_year_rollovers_year_uq').on(t.schoolId, t.schoolYear).where(sql`undone_at is null`),
])
