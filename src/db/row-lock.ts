import { and, eq } from 'drizzle-orm'
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from './database.js'

/**
 * `update`: the caller checks the row's state and then changes it. Taken before the check,
 * it makes concurrent attempts on the same row wait for each other, so the next one reads
 * the state the previous one committed (read committed takes a new snapshot per statement)
 * and is refused instead of overwriting it. NO KEY UPDATE, not UPDATE: inserts of rows that
 * reference this one (events, audit, checklist) take KEY SHARE and must not be blocked.
 *
 * `share`: the caller only needs the state to stay as checked until it commits (a session
 * added to a case that is not closed); sharers do not wait for each other, a state change does.
 */
export type RowLock = 'update' | 'share'

type Keyed = PgTable & { id: AnyPgColumn; schoolId: AnyPgColumn }

/** Locks one row of the caller's school until the transaction ends; false when there is none. */
export async function lockRow(ex: Executor, table: Keyed, schoolId: string, id: string, mode: RowLock = 'update'): Promise<boolean> {
  const rows = await ex.select({ id: table.id }).from(table)
    .where(and(eq(table.schoolId, schoolId), eq(table.id, id)))
    .for(mode === 'update' ? 'no key update' : 'share')
  return rows.length > 0
}
