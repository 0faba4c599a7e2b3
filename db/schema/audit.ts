import { bigint, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/**
 * Append-only, hash-chained. Rows are written only through the SQL function
 * audit_append (migration 0002), which takes an advisory lock so `seq` has no gaps and each
 * row_hash = sha256(prev_hash || canonical row). Ids only: never names, scores or text.
 */
export const auditLog = pgTable('audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  ts: timestamp('ts', { withTimezone: true, precision: 6 }).notNull(),
  actorId: uuid('actor_id'),
  actorRoles: text('actor_roles').notNull(),
  /** C | R | U | D | E (export) | denied */
  action: text('action').notNull(),
  resource: text('resource').notNull(),
  recordIds: text('record_ids').array().notNull(),
  studentIds: uuid('student_ids').array().notNull(),
  fieldGroups: text('field_groups').array().notNull(),
  /** ok | denied | not_found | rejected */
  outcome: text('outcome').notNull(),
  requestId: text('request_id'),
  purpose: text('purpose'),
  schoolId: uuid('school_id'),
  prevHash: text('prev_hash'),
  rowHash: text('row_hash').notNull(),
}, (t) => [
  index('audit_log_school_ts_idx').on(t.schoolId, t.ts),
  index('audit_log_students_gin').using('gin', t.studentIds),
])
