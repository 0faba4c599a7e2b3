import { sql } from 'drizzle-orm'
import { appendAudit } from '../../audit/audit.js'
import { queryRows, type Database, type Executor } from '../../db/database.js'
import { withStatementAllowance } from '../../db/server-client.js'
import { jobLockKey } from '../../jobs/runner.js'
import { addDays } from '../../lib/school-day.js'
import { staffingBySchool } from '../practices/staffing.js'
import { cellKeySecret, MAX_NOISE } from './cell-key.js'
import { loadAggregates, type SideLane } from './repository.js'
import { schoolYearWindow } from './school-year.js'
import { buildStaffingDistrict, STAFF_THRESHOLD, staffingRule, type StaffingDistrict } from './staffing-table.js'
import { DEFAULT_THRESHOLD } from './suppression.js'
import { buildDistrictTables, type DistrictTables, type SchoolInfo } from './tables.js'

/**
 * 区级数据发布: district figures exist only as frozen, dated releases. A release is computed
 * once — on the first school day of each month (the schedule), on demand by district staff at
 * most once in ON_DEMAND_MIN_DAYS, or at the very first read of a district that has none —
 * stored as JSON and never recomputed. Every read serves a stored release.
 */

export const ON_DEMAND_MIN_DAYS = 7
export type ReleaseTrigger = 'scheduled' | 'on_demand' | 'first_read'

/** Advisory-lock namespace of release creation (jobs use 727275): one writer per district. */
const RELEASE_LOCK_SPACE = 727276

export interface ReleasePayload {
  schoolYear: string
  previousSchoolYear: string
  generatedAt: string
  threshold: number
  cellKey: { maxNoise: number }
  tables: DistrictTables['tables']
  stats: DistrictTables['stats']
  staffing: { year: number; threshold: number; largeSchoolEnrolment: number; fullTimeNeeded: number; district: StaffingDistrict }
}

export interface ReleaseRow {
  id: string
  districtId: string
  releasedOn: string
  createdAt: string
  trigger: ReleaseTrigger
  schoolIds: string[]
}

export interface StoredRelease extends ReleaseRow { payload: ReleasePayload }

export async function lockDistrict(ex: Executor, districtId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(${RELEASE_LOCK_SPACE}::int, ${jobLockKey(districtId)}::int)`)
}

export async function districtSchools(ex: Executor, districtId: string): Promise<SchoolInfo[]> {
  const rows = await queryRows<{ id: string; code: string; name: string; stage: string }>(ex, sql`
    select id, code, name, stage from schools where district_id = ${districtId} order by code`)
  return rows.map((r) => ({ schoolId: r.id, code: r.code, name: r.name, stage: r.stage }))
}

/**
 * A release's side lane on a server: another connection of the pool, as the owner (no role is
 * set), with the release's statement limit; none on the embedded database. It holds a second
 * connection only while the release counts its tables.
 */
export function releaseSideLane(database: Database, limitMs: number): SideLane | undefined {
  if (database.kind !== 'server') return undefined
  return (work) => database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('statement_timeout', ${String(limitMs)}, true)`)
    return work(tx)
  })
}

/** Counts, perturbs and suppresses every table of one district as of `today`. */
export async function computeRelease(ex: Executor, districtId: string, today: string, side?: SideLane): Promise<{ payload: ReleasePayload; schoolIds: string[] }> {
  const schools = await districtSchools(ex, districtId)
  const schoolIds = schools.map((s) => s.schoolId)
  const y = schoolYearWindow(today)
  const secret = await cellKeySecret(ex)
  const agg = await loadAggregates(ex, schoolIds, y, secret, side)
  const built = buildDistrictTables(districtId, schools, agg, y)
  const year = Number(today.slice(0, 4))
  const staffing = buildStaffingDistrict(districtId, schools, await staffingBySchool(ex, districtId, { year, enrolled: agg.enrolled }))
  return {
    schoolIds,
    payload: {
      schoolYear: built.schoolYear,
      previousSchoolYear: built.previousSchoolYear,
      generatedAt: built.generatedAt,
      threshold: DEFAULT_THRESHOLD,
      cellKey: { maxNoise: MAX_NOISE },
      tables: built.tables,
      stats: built.stats,
      staffing: { year, threshold: STAFF_THRESHOLD, ...staffingRule, district: staffing },
    },
  }
}

const rowOf = (r: { id: string; district_id: string; released_on: string | Date; created_at: string | Date; trigger: string; school_ids: string[] | string }): ReleaseRow => ({
  id: r.id,
  districtId: r.district_id,
  releasedOn: typeof r.released_on === 'string' ? r.released_on.slice(0, 10) : r.released_on.toISOString().slice(0, 10),
  createdAt: new Date(r.created_at).toISOString(),
  trigger: r.trigger as ReleaseTrigger,
  schoolIds: Array.isArray(r.school_ids) ? r.school_ids : String(r.school_ids).replace(/[{}]/g, '').split(',').filter(Boolean),
})

/**
 * How long a release's statements, and the pauses between them while suppression runs, may
 * take. A release reads the whole district in a few statements; in a request (on demand, the
 * first read) the request limit (DB_STATEMENT_TIMEOUT_MS, 10 s) would cancel it once the
 * district is large (about 10 s for 1,000,000 pupils on a loaded 2-core server), and a
 * district whose first release fails has no figures at all. A job's larger limit is kept.
 */
export const RELEASE_STATEMENT_TIMEOUT_MS = 600_000

/**
 * Raises, for the rest of the caller's transaction, statement_timeout and the idle-in-transaction
 * limit to at least RELEASE_STATEMENT_TIMEOUT_MS (never lowers them; 0 = none stays none).
 * Returns the statement limit now in force, in ms (0: none).
 */
async function allowLongRelease(ex: Executor): Promise<number> {
  // The value set, in ms, not set_config's answer: that is the setting as shown ('10min').
  const rows = await queryRows<{ ms: string }>(ex, sql`
    select ms, set_config(name, ms, true) from (
      select name, case when setting = '0' then '0' else greatest(setting::bigint, ${RELEASE_STATEMENT_TIMEOUT_MS}::bigint)::text end as ms
      from pg_settings where name in ('statement_timeout', 'idle_in_transaction_session_timeout')) s
    order by name = 'statement_timeout'`)
  return Number(rows[rows.length - 1]?.ms ?? 0)
}

/**
 * Computes and stores a release; the caller holds the district's lock and its transaction.
 * With `database` (a server's), the tables other than risk are counted on a second connection.
 */
export async function createRelease(ex: Executor, e: { districtId: string; today: string; trigger: ReleaseTrigger; requestedBy?: string | null; database?: Database }): Promise<ReleaseRow> {
  const limitMs = await allowLongRelease(ex)
  const side = e.database ? releaseSideLane(e.database, limitMs) : undefined
  // The server watchdog waits as long for this connection's answers (0: no limit, a day).
  const { payload, schoolIds } = await withStatementAllowance(limitMs || 86_400_000, () => computeRelease(ex, e.districtId, e.today, side))
  const rows = await queryRows<Parameters<typeof rowOf>[0]>(ex, sql`
    insert into district_releases (district_id, released_on, trigger, requested_by, school_ids, payload)
    values (${e.districtId}, ${e.today}::date, ${e.trigger}, ${e.requestedBy ?? null}, ${'{' + schoolIds.join(',') + '}'}::uuid[], ${JSON.stringify(payload)}::jsonb)
    returning id, district_id, released_on::text as released_on, created_at, trigger, school_ids`)
  return rowOf(rows[0]!)
}

export async function latestRelease(ex: Executor, districtId: string): Promise<ReleaseRow | null> {
  const rows = await queryRows<Parameters<typeof rowOf>[0]>(ex, sql`
    select id, district_id, released_on::text as released_on, created_at, trigger, school_ids from district_releases
    where district_id = ${districtId} order by created_at desc, id desc limit 1`)
  return rows[0] ? rowOf(rows[0]) : null
}

/** A release's row without its payload: the district's latest, or the one with `id`. */
export async function releaseRow(ex: Executor, districtId: string, id?: string): Promise<ReleaseRow | null> {
  const rows = await queryRows<Parameters<typeof rowOf>[0]>(ex, sql`
    select id, district_id, released_on::text as released_on, created_at, trigger, school_ids from district_releases
    where district_id = ${districtId} ${id ? sql`and id = ${id}` : sql``}
    order by created_at desc, id desc limit 1`)
  return rows[0] ? rowOf(rows[0]) : null
}

export async function releasePayload(ex: Executor, id: string): Promise<ReleasePayload> {
  const rows = await queryRows<{ payload: ReleasePayload | string }>(ex, sql`select payload from district_releases where id = ${id}`)
  const p = rows[0]!.payload
  return typeof p === 'string' ? JSON.parse(p) as ReleasePayload : p
}

/** A stored release of the district (the latest when `id` is absent). */
export async function loadRelease(ex: Executor, districtId: string, id?: string): Promise<StoredRelease | null> {
  const rows = await queryRows<Parameters<typeof rowOf>[0] & { payload: ReleasePayload | string }>(ex, sql`
    select id, district_id, released_on::text as released_on, created_at, trigger, school_ids, payload from district_releases
    where district_id = ${districtId} ${id ? sql`and id = ${id}` : sql``}
    order by created_at desc, id desc limit 1`)
  const r = rows[0]
  if (!r) return null
  return { ...rowOf(r), payload: typeof r.payload === 'string' ? JSON.parse(r.payload) as ReleasePayload : r.payload }
}

export async function listReleases(ex: Executor, districtIds: readonly string[]): Promise<ReleaseRow[]> {
  if (districtIds.length === 0) return []
  const rows = await queryRows<Parameters<typeof rowOf>[0]>(ex, sql`
    select id, district_id, released_on::text as released_on, created_at, trigger, school_ids from district_releases
    where district_id = any(${'{' + districtIds.join(',') + '}'}::uuid[]) order by created_at desc, id desc limit 500`)
  return rows.map(rowOf)
}

/** The first day an on-demand release is allowed again after `last`. */
export const nextOnDemandDay = (last: ReleaseRow): string => addDays(last.releasedOn, ON_DEMAND_MIN_DAYS)

/**
 * The first school day of `today`'s month for a district: a weekday inside a term of one of
 * its schools and outside that school's holidays, the earliest over its schools. Without a
 * calendar covering the month (none entered, or a month of holidays), the 1st.
 */
export async function firstSchoolDayOfMonth(ex: Executor, districtId: string, today: string): Promise<string> {
  const first = `${today.slice(0, 7)}-01`
  const next = addDays(`${today.slice(0, 7)}-28`, 4).slice(0, 7) + '-01'
  const terms = await queryRows<{ school_id: string; s: string; e: string }>(ex, sql`
    select t.school_id, t.start_date::text as s, t.end_date::text as e from terms t join schools sc on sc.id = t.school_id
    where sc.district_id = ${districtId} and t.start_date < ${next}::date and t.end_date >= ${first}::date`)
  if (terms.length === 0) return first
  const holidays = await queryRows<{ school_id: string; s: string; e: string }>(ex, sql`
    select h.school_id, h.start_date::text as s, h.end_date::text as e from holidays h join schools sc on sc.id = h.school_id
    where sc.district_id = ${districtId} and h.start_date < ${next}::date and h.end_date >= ${first}::date`)
  for (let d = first; d < next; d = addDays(d, 1)) {
    const wd = new Date(`${d}T12:00:00Z`).getUTCDay()
    if (wd === 0 || wd === 6) continue
    const open = terms.some((t) => t.s <= d && d <= t.e && !holidays.some((h) => h.school_id === t.school_id && h.s <= d && d <= h.e))
    if (open) return d
  }
  return first
}

/**
 * The schedule: for every district with schools, once its first school day of the month has
 * come and the month has no scheduled release yet, one release. Run daily, so a day the
 * server was down is caught up the next morning.
 */
export async function runScheduledReleases(ex: Executor, today: string, database?: Database): Promise<{ districts: number; released: number }> {
  const districts = await queryRows<{ id: string }>(ex, sql`select distinct district_id as id from schools order by 1`)
  let released = 0
  for (const { id } of districts) {
    if (today < await firstSchoolDayOfMonth(ex, id, today)) continue
    await lockDistrict(ex, id)
    const done = await queryRows<{ n: number }>(ex, sql`
      select count(*)::int as n from district_releases where district_id = ${id} and trigger = 'scheduled'
        and released_on >= ${today.slice(0, 7) + '-01'}::date and released_on <= ${today}::date`)
    if (done[0]!.n > 0) continue
    const made = await createRelease(ex, { districtId: id, today, trigger: 'scheduled', database })
    await appendAudit(ex, {
      actorId: null, roles: 'job:district-release', action: 'C', resource: 'district_stats',
      recordIds: [made.id], studentIds: [], fieldGroups: ['release:scheduled'], outcome: 'ok', schoolId: null,
    })
    released++
  }
  return { districts: districts.length, released }
}
