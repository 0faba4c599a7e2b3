/**
 * Bench §1 and §4. §1: the synthetic district (scripts/bench/synthetic.ts) — 100 schools ×
 * 1,000 students by default (quick: 20 × 500), a school year of screenings (and last year's),
 * care list, cases, 三个必谈 duties with the talk logs that fulfilled them, alerts from
 * concerned talks, referrals and crisis events; seeded; loaded by COPY. §4: the district
 * tables on it, through the API (auth, district decision, audit row, JSON) with app.inject:
 *  - cold: computing a release (SQL aggregates with cell keys, perturbation, suppression,
 *    staffing), as the schedule and an on-demand release do — district_cold_p50_ms;
 *  - warm: repeated fetches of all seven tables from the stored release — district_p50_ms;
 * and, outside HTTP, how a computation splits between the SQL aggregates and suppression.
 */
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { queryRows } from '../../src/db/database.js'
import { cellKeySecret } from '../../src/modules/district/cell-key.js'
import { computeRelease, releaseSideLane } from '../../src/modules/district/release.js'
import { loadAggregates } from '../../src/modules/district/repository.js'
import { schoolYearWindow } from '../../src/modules/district/school-year.js'
import { buildDistrictTables, TableNames } from '../../src/modules/district/tables.js'
import { createUser, login } from '../../test/helpers/app.js'
import { benchConfig, modeOf, note, openBenchDatabase, pct, round, schoolToday, type Metric, type SectionOptions } from './common.js'
import { generateDistrict } from './synthetic.js'

export interface DistrictBenchOptions extends SectionOptions {
  schools?: number
  students?: number
  /** Rounds: cold (a release computed) and warm (all seven tables read from the stored release). */
  cold?: number
  warm?: number
}

async function fetchTime(app: FastifyInstance, token: string, url: string): Promise<number> {
  const t0 = performance.now()
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  const ms = performance.now() - t0
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  return ms
}

const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   (n=${xs.length})`

export async function benchDistrict(opts: DistrictBenchOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const nSchools = opts.schools ?? opts.scale?.schools ?? (opts.quick ? 20 : 100)
  const nStudents = opts.students ?? opts.scale?.students ?? (opts.quick ? 10_000 : 100_000)
  const coldRounds = opts.cold ?? (opts.quick ? 3 : 5)
  const warmRounds = opts.warm ?? (opts.quick ? 10 : 30)
  const database = await openBenchDatabase(opts.url, 4)
  const base = benchConfig()
  const warmApp = await buildApp({ config: base, database })
  try {
    await warmApp.ready()
    const y = schoolYearWindow(schoolToday())
    note(`synthetic district, ${mode}: ${nStudents.toLocaleString('en')} students in ${nSchools} schools`)
    const d = await generateDistrict(database, { schools: nSchools, students: nStudents, seed: 2026, y, codePrefix: 'BENCH', tinyGrades: 0.1, talks: true })
    // The state a release meets at the schedule's 06:00: after the night's upkeep (a server's
    // autovacuum; on the embedded database the vacuum job, this same statement), so the rows the
    // triggers rewrote during the load are gone and the statistics are fresh.
    const a0 = performance.now()
    await database.db.execute(sql`vacuum (analyze)`)
    const analyzeMs = performance.now() - a0
    note(`${d.rows.toLocaleString('en')} rows: ${Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`)
    const metrics: Metric[] = [
      { name: `synthetic_students_${mode}`, value: d.studentIds.length, unit: `students (${nSchools} schools)` },
      { name: `synthetic_rows_${mode}`, value: d.rows, unit: 'rows' },
      { name: `synthetic_build_s_${mode}`, value: round(d.buildMs / 1000, 2), unit: 's (rows made in JS)' },
      { name: `synthetic_copy_s_${mode}`, value: round(d.copyMs / 1000, 2), unit: 's (COPY)' },
      { name: `synthetic_copy_rows_per_s_${mode}`, value: Math.round(d.rows / (d.copyMs / 1000)), unit: 'rows/s' },
      { name: `synthetic_vacuum_analyze_s_${mode}`, value: round(analyzeMs / 1000, 2), unit: 's (VACUUM (ANALYZE), as the nightly upkeep)' },
    ]

    const school = { districtId: d.districtId, schoolId: d.schoolIds[0]!, gradeId: '', classIds: ['', ''] as [string, string] }
    const staff = await createUser(database, school, [{ role: 'district_staff' }])
    const token = (await login(warmApp, staff.username)).accessToken

    // Where a cold computation goes: the SQL aggregates (as the owner, in a transaction of its own, as a release computes them), then suppression.
    const list = await queryRows<{ id: string; code: string; name: string; stage: string }>(database.db,
      sql`select id, code, name, stage from schools where district_id = ${d.districtId} order by code`)
    const info = list.map((s) => ({ schoolId: s.id, code: s.code, name: s.name, stage: s.stage }))
    const sqlMs: number[] = []
    const buildMs: number[] = []
    const secret = await cellKeySecret(database.db)
    // As the service and the schedule compute one: on a server, a second connection alongside.
    const side = releaseSideLane(database, 0)
    for (let i = 0; i < coldRounds; i++) {
      const a = performance.now()
      const agg = await database.db.transaction((tx) => loadAggregates(tx, info.map((s) => s.schoolId), y, secret, side))
      const b = performance.now()
      buildDistrictTables(d.districtId, info, agg, y)
      sqlMs.push(b - a)
      buildMs.push(performance.now() - b)
    }
    note(`  SQL aggregates           ${fmt(sqlMs)}`)
    note(`  suppression + rendering  ${fmt(buildMs)}`)

    const cold: number[] = []
    for (let i = 0; i < coldRounds; i++) {
      const a = performance.now()
      // In a transaction of its own, as the service and the schedule compute one.
      await database.db.transaction((tx) => computeRelease(tx, d.districtId, y.today, side))
      cold.push(performance.now() - a)
    }
    note(`release computed (cold)    ${fmt(cold)}`)

    await fetchTime(warmApp, token, '/api/v1/district/tables/risk-current')
    const warm: number[] = []
    const perTable = new Map<string, number[]>()
    for (let i = 0; i < warmRounds; i++) {
      for (const name of TableNames) {
        const ms = await fetchTime(warmApp, token, `/api/v1/district/tables/${name}`)
        warm.push(ms)
        perTable.set(name, [...(perTable.get(name) ?? []), ms])
      }
    }
    note(`warm fetch (release read)  ${fmt(warm)}`)
    for (const [name, xs] of perTable) note(`  ${name.padEnd(24)} ${fmt(xs)}`)
    const x0 = performance.now()
    await fetchTime(warmApp, token, '/api/v1/district/export.xlsx')
    const exportMs = performance.now() - x0

    metrics.push(
      { name: `district_sql_p50_ms_${mode}`, value: round(pct(sqlMs, 50)), unit: 'ms (cold: SQL aggregates)' },
      { name: `district_suppress_p50_ms_${mode}`, value: round(pct(buildMs, 50)), unit: 'ms (cold: suppression + tables)' },
      { name: `district_cold_p50_ms_${mode}`, value: round(pct(cold, 50)), unit: 'ms (a release computed)' },
      { name: `district_cold_p99_ms_${mode}`, value: round(pct(cold, 99)), unit: 'ms (a release computed)' },
      { name: `district_p50_ms_${mode}`, value: round(pct(warm, 50)), unit: 'ms (read from the stored release)' },
      { name: `district_p99_ms_${mode}`, value: round(pct(warm, 99)), unit: 'ms (read from the stored release)' },
      { name: `district_export_ms_${mode}`, value: round(exportMs), unit: 'ms (xlsx, from the release)' },
    )
    return metrics
  } finally {
    await warmApp.close()
    await database.close()
  }
}
