import { Column, is, sql, type Query, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { preparedQueryRows, sqlToQuery, type Executor } from '../../db/database.js'
import { KeptPer } from '../../lib/kept.js'

export interface Fulfilled {
  id: string; schoolId: string; studentId: string; status: string; talkLogId: string
  /** The duty as updated, selected as `returning` asked (drizzle's keys and types). */
  row?: Record<string, unknown>
}

/**
 * Matches talk logs to the duties they fulfil, set-based: a log fulfils an open or overdue
 * duty of the same student and kind whose window had started by the talk date. A log inside
 * a window fulfils that window on time (done); otherwise it fulfils the latest missed one,
 * late (done_late). Each log fulfils at most one duty and each duty takes one log (the
 * earliest). Used for a single new log (POST) and by the generation job for logs written
 * before their duty existed; running it again changes nothing.
 */
export async function fulfilDuties(ex: Executor, filter: {
  logId?: string
  schoolId?: string
  /** The log was inserted in this transaction, so no duty can name it yet: skip that check. */
  isNew?: boolean
  /**
   * Columns and expressions of talk_duties (as a Decision's selection()) to return with each
   * fulfilled duty as it is after the update, instead of reading it again.
   */
  returning?: Record<string, PgColumn | SQL.Aliased>
  /**
   * What `returning` is made of, when it is the same for every call with this object (a
   * decision, kept per actor): the statement is then built once for it and run as prepared.
   */
  returningOf?: object
} = {}): Promise<Fulfilled[]> {
  const extra = Object.entries(filter.returning ?? {})
  const values = { schoolId: filter.schoolId ?? null, logId: filter.logId ?? null }
  const owner = extra.length ? filter.returningOf : NO_RETURNING
  const shape = `${filter.schoolId ? 's' : ''}${filter.logId ? 'l' : ''}${filter.isNew ? 'n' : ''}`
  const build = () => sqlToQuery(ex, updateSql(filter, extra))
  const query = owner ? builtUpdates.get(owner, shape, build) : build()
  const all: Fulfilled[] = []
  // A log that lost its duty to an earlier log may still fit another one: repeat until stable.
  for (let round = 0; round < 10; round++) {
    // Prepared: its text is fixed for a request's filters, and a POST sends it every time.
    const rows = await preparedQueryRows<{ id: string; school_id: string; student_id: string; status: string; talk_log_id: string }>(ex, query, values)
    for (const r of rows) {
      const f: Fulfilled = { id: r.id, schoolId: r.school_id, studentId: r.student_id, status: r.status, talkLogId: r.talk_log_id }
      if (extra.length) {
        const raw = r as unknown as Record<string, unknown>
        // As drizzle maps a selected row: the column's own conversion, aliased expressions as they are.
        f.row = Object.fromEntries(extra.map(([k, v]) => {
          if (!is(v, Column)) return [k, raw[v.fieldAlias]]
          const value = raw[`r:${k}`]
          return [k, value === null || value === undefined ? null : v.mapFromDriverValue(value)]
        }))
      }
      all.push(f)
    }
    if (rows.length === 0 || filter.logId) break
  }
  return all
}

/** Built statements per `returningOf` (or none) and filter shape; the ids are placeholders. */
const builtUpdates = new KeptPer<Query>()
const NO_RETURNING = {}

function updateSql(filter: { logId?: string; schoolId?: string; isNew?: boolean }, extra: Array<[string, PgColumn | SQL.Aliased]>): SQL {
  const conds: SQL[] = []
  if (filter.schoolId) conds.push(sql`l.school_id = ${sql.placeholder('schoolId')}`)
  if (filter.logId) conds.push(sql`l.id = ${sql.placeholder('logId')}`)
  const where = conds.length ? sql`and ${sql.join(conds, sql` and `)}` : sql``
  const returning = extra.length
    ? sql`, ${sql.join(extra.map(([k, v]) => (is(v, Column) ? sql`${v} as ${sql.identifier(`r:${k}`)}` : sql`${v.sql} as ${sql.identifier(v.fieldAlias)}`)), sql`, `)}`
    : sql``
  return sql`
      with cand as (
        select d.id as duty_id, d.school_id, l.id as log_id, l.talk_date, d.window_start, (l.talk_date <= d.due_date) as on_time
        from talk_logs l
        join talk_duties d on d.school_id = l.school_id and d.student_id = l.student_id and d.kind = l.kind
        where d.status in ('open', 'overdue') and d.talk_log_id is null and l.talk_date >= d.window_start
          ${filter.isNew ? sql`` : sql`and not exists (select 1 from talk_duties x where x.school_id = l.school_id and x.talk_log_id = l.id)`}
          ${where}
      ),
      per_log as (
        select distinct on (log_id) * from cand order by log_id, on_time desc, window_start desc
      ),
      per_duty as (
        select distinct on (duty_id) * from per_log order by duty_id, talk_date, log_id
      )
      -- Not aliased: the returned expressions name the table (drizzle columns, policy conditions).
      update talk_duties
        set status = case when p.on_time then 'done' else 'done_late' end, talk_log_id = p.log_id, fulfilled_on = p.talk_date
      from per_duty p
      -- Checked again on the row itself: a run that waited on a duty another run just
      -- fulfilled re-reads it here and leaves it, rather than claiming it a second time.
      where talk_duties.school_id = p.school_id and talk_duties.id = p.duty_id
        and talk_duties.status in ('open', 'overdue') and talk_duties.talk_log_id is null
      returning talk_duties.id, talk_duties.school_id, talk_duties.student_id, talk_duties.status, talk_duties.talk_log_id${returning}`
}
