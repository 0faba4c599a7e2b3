import { sql } from 'drizzle-orm'
import type { Db, Tx } from '../db/database.js'
import type { Actor } from './roles.js'

/**
 * Runs fn in one transaction as the non-owner role `xinan_app` with the actor's school
 * set, so row-level security applies even if a query forgets its filter. Both settings go
 * in one statement: round trips are the cost of the audited read path (STACK-NOTES.md).
 */
export function withSchoolTx<T>(db: Db, schoolId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${schoolId ?? ''}, true)`)
    return fn(tx)
  })
}

export function withActorTx<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withSchoolTx(db, actor.schoolId, fn)
}
