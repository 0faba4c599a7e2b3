import { PgliteSession } from 'drizzle-orm/pglite/session'
import { PostgresJsSession } from 'drizzle-orm/postgres-js/session'

/**
 * Statements requests send to the database, counted in the driver sessions drizzle uses:
 * every query (select, insert, update, raw SQL) goes through prepareQuery, and a transaction
 * adds its BEGIN and COMMIT. Importing this module starts counting for the whole test file;
 * requests run one at a time in the files that use it, so a count is the request's own.
 */
const statements: string[] = []
for (const Session of [PgliteSession, PostgresJsSession] as unknown as { prototype: Record<string, unknown> }[]) {
  const proto = Session.prototype as {
    prepareQuery: (this: unknown, q: { sql: string }, ...rest: unknown[]) => unknown
    transaction: (this: unknown, ...args: unknown[]) => Promise<unknown>
  }
  const prepare = proto.prepareQuery
  proto.prepareQuery = function (q, ...rest) {
    statements.push(q.sql)
    return prepare.call(this, q, ...rest)
  }
  const transaction = proto.transaction
  proto.transaction = async function (...args) {
    statements.push('BEGIN')
    const r = await transaction.apply(this, args)
    statements.push('COMMIT')
    return r
  }
}

/** What fn sent, in order. */
export async function sentBy<T>(fn: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  statements.length = 0
  const result = await fn()
  return { result, sent: statements.splice(0, statements.length) }
}
