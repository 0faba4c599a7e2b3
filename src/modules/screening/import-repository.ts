import { sql } from 'drizzle-orm'
import { queryRows, type Database, type Tx } from '../../db/database.js'

/**
 * The bulk path of a screening import (DESIGN.md "Bulk paths"): rows are COPYed into a
 * staging table of this transaction, then moved with one INSERT … SELECT … ON CONFLICT DO
 * NOTHING, so importing the same file twice changes nothing the second time. Crisis events
 * for safety items are opened by the same statement, only for responses it inserted.
 */

const STAGE = 'screening_import_stage'

export const STAGE_COLUMNS = [
  'seq', 'id', 'student_id', 'instrument_id', 'answers', 'total_score', 'band', 'suggested_risk', 'safety_flag', 'screened_on', 'safety_note',
] as const

export async function createStage(tx: Tx): Promise<void> {
  await tx.execute(sql.raw(`create temp table ${STAGE} (
    seq int primary key, id uuid not null, student_id uuid not null, instrument_id uuid not null, answers text not null,
    total_score int not null, band text not null, suggested_risk text not null, safety_flag boolean not null,
    screened_on date not null, safety_note text
  ) on commit drop`))
}

/**
 * COPY into the staging table. On the embedded database COPY reads PGlite's /dev/blob, a
 * server-side file, which the non-owner role may not open; for that one statement the
 * transaction steps back to the session role, whose only act is filling this transaction's
 * own temporary table. Everything that touches school data runs as xinan_app with RLS.
 */
export async function copyIntoStage(database: Database, tx: Tx, rows: unknown[][]): Promise<void> {
  if (database.kind === 'embedded') await tx.execute(sql`select set_config('role', 'none', true)`)
  try {
    await database.copyRows(STAGE, [...STAGE_COLUMNS], rows, tx)
  } finally {
    if (database.kind === 'embedded') await tx.execute(sql`select set_config('role', 'xinan_app', true)`)
  }
}

export interface MovedRow { kind: 'response' | 'crisis'; id: string; student_id: string }

/**
 * Moves staged rows with seq in [from, to): the move runs in slices so that no single
 * statement holds the embedded database (and with it the event loop) for long; the slices
 * share the import's one transaction, so the import stays all or nothing.
 */
export function moveStage(tx: Tx, v: { schoolId: string; campaignId: string; userId: string; ackMinutes: number; from: number; to: number }): Promise<MovedRow[]> {
  return queryRows<MovedRow>(tx, sql`
    with ins as (
      insert into screening_responses (school_id, id, campaign_id, student_id, instrument_id, answers, total_score, band,
        suggested_risk, safety_flag, screened_on, source, entered_by)
      select ${v.schoolId}::uuid, s.id, ${v.campaignId}::uuid, s.student_id, s.instrument_id, s.answers::smallint[], s.total_score, s.band,
        s.suggested_risk, s.safety_flag, s.screened_on, 'import', ${v.userId}::uuid
      from ${sql.raw(STAGE)} s
      where s.seq >= ${v.from}::int and s.seq < ${v.to}::int
      on conflict (school_id, campaign_id, student_id, instrument_id) do nothing
      returning id, student_id, safety_flag
    ),
    crises as (
      insert into crisis_events (school_id, student_id, source, source_ref, summary, status, opened_by, ack_deadline)
      select ${v.schoolId}::uuid, i.student_id, 'safety_rule', i.id, s.safety_note, 'open', ${v.userId}::uuid,
        now() + make_interval(mins => ${v.ackMinutes}::int)
      from ins i join ${sql.raw(STAGE)} s on s.id = i.id
      where i.safety_flag
      returning id, student_id
    )
    select 'response' as kind, id, student_id from ins
    union all
    select 'crisis' as kind, id, student_id from crises`)
}
