import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../db/database.js'
import { addDays } from '../lib/school-day.js'
import { auditJobChange, type TouchedRow } from './job-audit.js'
import type { JobContext, JobCounts } from './runner.js'

interface Deleted { school_id: string; id: string; student_id: string | null }

/** Students who left or graduated on or before `day` (no leaving date: the last roster change). */
function leftBy(day: string): SQL {
  return sql`select s.school_id, s.id from students s
    where s.status in ('left', 'graduated') and coalesce(s.left_at, (s.updated_at at time zone 'Asia/Shanghai')::date) <= ${day}::date`
}

const rowsOf = (rs: Deleted[]): TouchedRow[] => rs.map((r) => ({ schoolId: r.school_id, id: r.id, studentId: r.student_id }))

/**
 * Tables holding rows about a student (a school_id, a student_id and an id), children before
 * the tables they reference, so a purge deletes without breaking a foreign key. Read from
 * the catalogue, so a table another module adds later is purged too.
 */
export async function studentTables(ex: Executor): Promise<string[]> {
  const tables = (await queryRows<{ table_name: string }>(ex, sql`
    select c.table_name from information_schema.columns c
    where c.table_schema = 'public' and c.column_name = 'student_id' and c.table_name <> 'students'
      and exists (select 1 from information_schema.columns x where x.table_schema = 'public' and x.table_name = c.table_name and x.column_name = 'school_id')
      and exists (select 1 from information_schema.columns x where x.table_schema = 'public' and x.table_name = c.table_name and x.column_name = 'id')
    order by c.table_name`)).map((r) => r.table_name)
  const edges = await queryRows<{ child: string; parent: string }>(ex, sql`
    select ch.relname as child, pa.relname as parent
    from pg_constraint con
    join pg_class ch on ch.oid = con.conrelid
    join pg_class pa on pa.oid = con.confrelid
    join pg_namespace n on n.oid = ch.relnamespace
    where con.contype = 'f' and n.nspname = 'public' and ch.relname <> pa.relname`)
  const set = new Set(tables)
  const ordered: string[] = []
  const remaining = new Set(tables)
  while (remaining.size) {
    // A table may go once no remaining table references it.
    const next = [...remaining].filter((t) => !edges.some((e) => e.parent === t && e.child !== t && remaining.has(e.child) && set.has(e.child)))
    if (next.length === 0) throw new Error('retention: foreign keys between student tables form a cycle')
    for (const t of next) { ordered.push(t); remaining.delete(t) }
  }
  return ordered
}

/**
 * Retention of the records of students who left or graduated (PIPL art. 47: personal
 * information is deleted when its retention period ends; minors' data with particular care).
 *
 * - Archive, RETENTION_ARCHIVE_AFTER_DAYS after leaving: the record is kept as the
 *   心理成长档案 only; what served the student's time at school goes — guardians' contact
 *   rows and any talk duty still open.
 * - Purge, RETENTION_PURGE_AFTER_DAYS after leaving: every row about the student, in every
 *   table that has one, then the student; notifications pointing at purged records too.
 *
 * Every deletion is audited (action D, ids only) in the same transaction. Idempotent:
 * what is gone is not found again. job_runs rows older than 90 days go too.
 */
export async function applyRetention(ctx: JobContext): Promise<JobCounts> {
  const { tx } = ctx
  const archiveBefore = addDays(ctx.today, -ctx.config.RETENTION_ARCHIVE_AFTER_DAYS)
  const purgeBefore = addDays(ctx.today, -ctx.config.RETENTION_PURGE_AFTER_DAYS)
  let auditRows = 0

  const guardians = await queryRows<Deleted>(tx, sql`
    delete from guardians g using (${leftBy(archiveBefore)}) l
    where g.school_id = l.school_id and g.student_id = l.id
    returning g.school_id, g.id, g.student_id`)
  const duties = await queryRows<Deleted>(tx, sql`
    delete from talk_duties d using (${leftBy(archiveBefore)}) l
    where d.school_id = l.school_id and d.student_id = l.id and d.status = 'open'
    returning d.school_id, d.id, d.student_id`)
  auditRows += await auditJobChange(tx, { job: 'retention', action: 'D', resource: 'guardians', rows: rowsOf(guardians) })
  auditRows += await auditJobChange(tx, { job: 'retention', action: 'D', resource: 'talk_duties', rows: rowsOf(duties) })
  const archived = new Set([...guardians, ...duties].map((r) => r.student_id))

  let purgedRows = 0
  const purgedIds: string[] = []
  for (const table of await studentTables(tx)) {
    const t = sql.identifier(table)
    const rows = await queryRows<Deleted>(tx, sql`
      delete from ${t} x using (${leftBy(purgeBefore)}) l
      where x.school_id = l.school_id and x.student_id = l.id
      returning x.school_id, x.id::text as id, x.student_id`)
    purgedRows += rows.length
    for (const r of rows) purgedIds.push(r.id)
    auditRows += await auditJobChange(tx, { job: 'retention', action: 'D', resource: table, rows: rowsOf(rows) })
  }
  const notes = purgedIds.length
    ? await queryRows<Deleted>(tx, sql`
      delete from notifications n where n.ref_id::text = any(${'{' + purgedIds.join(',') + '}'}::text[])
      returning n.school_id, n.id, null::uuid as student_id`)
    : []
  auditRows += await auditJobChange(tx, { job: 'retention', action: 'D', resource: 'notifications', rows: rowsOf(notes) })
  const students = await queryRows<Deleted>(tx, sql`
    delete from students s using (${leftBy(purgeBefore)}) l
    where s.school_id = l.school_id and s.id = l.id
    returning s.school_id, s.id, s.id as student_id`)
  auditRows += await auditJobChange(tx, { job: 'retention', action: 'D', resource: 'students', rows: rowsOf(students) })

  // The jobs' own run log (no school data): three months are enough to see what ran.
  const pruned = await queryRows<{ n: string | number }>(tx, sql`
    with del as (delete from job_runs where started_at < ${ctx.now.toISOString()}::timestamptz - interval '90 days' returning 1)
    select count(*) as n from del`)

  return {
    jobRunsPruned: Number(pruned[0]!.n),
    archivedStudents: archived.size,
    guardiansRemoved: guardians.length,
    openDutiesDropped: duties.length,
    purgedStudents: students.length,
    purgedRows: purgedRows + notes.length,
    auditRows,
  }
}
