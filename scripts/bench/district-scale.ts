/**
 * The district tables at the scale run's size (`npm run bench -- --scale`, a hook of
 * scripts/bench/scale-hooks.ts): on its seeded district (1,000,000 students in 1,000 schools,
 * care list, 三个必谈 duties), this and last school year's screenings are added by set-based
 * SQL — most pupils screened each year, levels spread as in the synthetic district (mostly
 * 绿, some 黄/橙, few 红, small grades of risk per school so suppression has work), open cases
 * for a few — then a release is computed uncached, as on demand or by the schedule, a few
 * times: how long the SQL aggregates and the suppression take, and the whole computation.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../../src/db/database.js'
import { cellKeySecret } from '../../src/modules/district/cell-key.js'
import { computeRelease, districtSchools, releaseSideLane } from '../../src/modules/district/release.js'
import { loadAggregates } from '../../src/modules/district/repository.js'
import { schoolYearWindow } from '../../src/modules/district/school-year.js'
import { buildDistrictTables } from '../../src/modules/district/tables.js'
import { ensureBuiltInInstruments } from '../../src/modules/screening/repository.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import { modeOf, note, pct, round, type Metric, type SectionOptions } from './common.js'
import type { ScaleWorld } from './scale-hooks.js'

const PHQA_ID = BUILT_IN_INSTRUMENTS.find((i) => i.definition.code === 'PHQ-A')!.id
/** The day the release is computed: after the scale run's duty jobs (国庆 return window closed). */
const TODAY = '2026-10-15'
const ROUNDS = 3

/** A pseudo-random level from a student's number and a salt: 2% 红, 5% 橙, 12% 黄, the rest 绿. */
const level = (salt: number) => sql.raw(`(case when (hashint4(n + ${salt}) & 1023) < 20 then 'red' when (hashint4(n + ${salt}) & 1023) < 72 then 'orange'
  when (hashint4(n + ${salt}) & 1023) < 195 then 'yellow' else 'green' end)`)

async function addScreenings(database: Database, world: ScaleWorld): Promise<void> {
  await ensureBuiltInInstruments(database.db)
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`
      create temporary table scale_campaign on commit drop as
      select s.id as school_id, y.school_year, y.start_date, gen_random_uuid() as id
      from schools s cross join (values ('2026-2027', date '2026-09-15'), ('2025-2026', date '2025-09-15')) as y(school_year, start_date)
      where s.district_id = ${world.districtId}`)
    await tx.execute(sql`
      insert into screening_campaigns (school_id, id, name, school_year, instrument_ids, grade_levels, start_date, end_date, status)
      select school_id, id, school_year || '测评', school_year, ${`{${PHQA_ID}}`}::uuid[], '{7}', start_date, start_date + 30, 'closed' from scale_campaign`)
    // 90% screened this year, 85% last year (numbered pupils, so the same ones each run).
    await tx.execute(sql`
      insert into screening_responses (school_id, campaign_id, student_id, instrument_id, answers, total_score, band, suggested_risk, safety_flag, screened_on)
      select s.school_id, c.id, s.id, ${PHQA_ID}::uuid, '{0,0,0,0,0,0,0,0,0}', 0, 'band',
        case when c.school_year = '2026-2027' then ${level(0)} else ${level(7919)} end, false, c.start_date + (n % 20)
      from (select school_id, id, substr(student_no, 2)::int as n from students s where exists (select 1 from schools d where d.id = s.school_id and d.district_id = ${world.districtId})) s
      join scale_campaign c on c.school_id = s.school_id
      where (c.school_year = '2026-2027' and hashint4(n + 17) & 1023 < 922) or (c.school_year = '2025-2026' and hashint4(n + 31) & 1023 < 870)`)
    // Open cases for 1 pupil in 200, at the level of their screening.
    await tx.execute(sql`
      insert into cases (school_id, student_id, source, risk_level, state, summary, opened_at)
      select s.school_id, s.id, 'screening', ${level(0)}, 'intervening', '个案', timestamptz '2026-10-01 09:00+08'
      from (select school_id, id, substr(student_no, 2)::int as n from students s where exists (select 1 from schools d where d.id = s.school_id and d.district_id = ${world.districtId})) s
      where hashint4(n + 101) & 1023 < 5`)
  })
  // As a release meets it after the night's upkeep (see district.ts): the kept rows the triggers
  // rewrote are vacuumed away, the statistics fresh.
  await database.db.execute(sql`vacuum (analyze)`)
}

export async function districtAtScale(database: Database, world: ScaleWorld, opts: SectionOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const a0 = performance.now()
  await addScreenings(database, world)
  note(`district tables: screenings and cases added in ${((performance.now() - a0) / 1000).toFixed(1)} s`)
  const y = schoolYearWindow(TODAY)
  const schools = await districtSchools(database.db, world.districtId)
  const secret = await cellKeySecret(database.db)
  // As the service and the schedule compute one: on a server, a second connection alongside.
  const side = releaseSideLane(database, 0)
  const sqlMs: number[] = []
  const buildMs: number[] = []
  let stats = ''
  for (let i = 0; i < ROUNDS; i++) {
    const a = performance.now()
    const agg = await database.db.transaction((tx) => loadAggregates(tx, schools.map((s) => s.schoolId), y, secret, side))
    const b = performance.now()
    const built = buildDistrictTables(world.districtId, schools, agg, y)
    sqlMs.push(b - a)
    buildMs.push(performance.now() - b)
    stats = JSON.stringify(built.stats)
  }
  note(`  SQL aggregates p50 ${pct(sqlMs, 50).toFixed(0)} ms, suppression + tables p50 ${pct(buildMs, 50).toFixed(0)} ms; ${stats}`)
  const cold: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const a = performance.now()
    await database.db.transaction((tx) => computeRelease(tx, world.districtId, TODAY, side))
    cold.push(performance.now() - a)
  }
  note(`  release computed (uncached) p50 ${pct(cold, 50).toFixed(0)} ms (n=${cold.length})`)
  const size = `${world.students.toLocaleString('en')} students`
  return [
    { name: `scale_district_sql_p50_ms_${mode}`, value: round(pct(sqlMs, 50)), unit: `ms (${size}: SQL aggregates)` },
    { name: `scale_district_suppress_p50_ms_${mode}`, value: round(pct(buildMs, 50)), unit: `ms (${size}: suppression + tables)` },
    { name: `scale_district_cold_p50_ms_${mode}`, value: round(pct(cold, 50)), unit: `ms (${size}: a release computed, uncached)` },
  ]
}
