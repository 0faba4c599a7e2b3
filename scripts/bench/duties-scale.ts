/**
 * The scale run of the 三个必谈 generation (`npm run bench -- --scale`, opt-in, on the server
 * by default): 1,000,000 students in 1,000 schools (--students / --schools change it), 20
 * classes a school, 5% on the care list, this semester's calendar. The roster is made inside
 * the database by set-based SQL (generate_series), one statement per table, so seeding a
 * million students takes seconds rather than the minutes of building rows in JavaScript.
 * Then the generate-duties job on a day when all three kinds of window are current (国庆
 * return, October, the semester), its idempotent re-run, and mark-overdue once the return
 * window closed — the same steps as the duties section (scripts/bench/duties.ts).
 *
 * Other measurements at this size hook in through scripts/bench/scale-hooks.ts: each hook gets
 * the seeded database after the jobs ran (its duties in place) and returns its own metrics.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/db/database.js'
import { benchConfig, modeOf, note, openBenchDatabase, round, type Metric, type SectionOptions } from './common.js'
import { timeDutyJobs } from './duties.js'
import { scaleHooks, type ScaleWorld } from './scale-hooks.js'

const CLASSES_PER_SCHOOL = 20
/** One student in CARE_EVERY is on the care list (5%). */
const CARE_EVERY = 20

/**
 * A district of `students` students spread round-robin over `schools` schools, made by
 * INSERT … SELECT from generate_series in one transaction (its temporary tables are the
 * schools' and classes' numbers).
 */
export async function seedScaleDistrict(database: Database, students: number, schools: number): Promise<ScaleWorld> {
  const tag = randomBytes(3).toString('hex')
  const districtId = await database.db.transaction(async (tx) => {
    const [d] = await queryRows<{ id: string }>(tx, sql`insert into districts (code, name) values (${`SCALE-${tag}`}, '规模压测区') returning id`)
    const districtId = d!.id
    await tx.execute(sql`
      create temporary table scale_school on commit drop as
      select i - 1 as n, gen_random_uuid() as id from generate_series(1, ${schools}::int) i`)
    await tx.execute(sql`
      insert into schools (id, district_id, code, name, stage)
      select id, ${districtId}::uuid, ${`S${tag}`} || lpad(n::text, 5, '0'), '规模学校' || (n + 1), 'junior' from scale_school`)
    await tx.execute(sql`
      create temporary table scale_class on commit drop as
      select s.n as school_n, s.id as school_id, k, gen_random_uuid() as id
      from scale_school s cross join generate_series(1, ${CLASSES_PER_SCHOOL}::int) k`)
    await tx.execute(sql`
      create temporary table scale_grade on commit drop as
      select id as school_id, gen_random_uuid() as id from scale_school`)
    await tx.execute(sql`insert into grades (school_id, id, level, name) select school_id, id, 7, '七年级' from scale_grade`)
    await tx.execute(sql`
      insert into classes (school_id, id, grade_id, name, seq)
      select c.school_id, c.id, g.id, '七年级(' || c.k || ')班', c.k
      from scale_class c join scale_grade g on g.school_id = c.school_id`)
    await tx.execute(sql`analyze scale_class`)
    // Student i goes to school i mod S and, within it, to class (i div S) mod 20: in school
    // order, so each school's index pages and key rows are visited together.
    await tx.execute(sql`
      insert into students (school_id, student_no, name, gender, class_id)
      select c.school_id, 'S' || i, '学生' || i, case when i % 2 = 1 then 'M' else 'F' end, c.id
      from generate_series(0, ${students - 1}::int) i
      join scale_class c on c.school_n = i % ${schools}::int and c.k = (i / ${schools}::int) % ${CLASSES_PER_SCHOOL}::int + 1
      order by c.school_n, i`)
    await tx.execute(sql`
      insert into care_list (school_id, student_id, risk_level)
      select s.school_id, s.id, 'yellow' from students s join scale_school sc on sc.id = s.school_id
      where substr(s.student_no, 2)::int % ${CARE_EVERY}::int = 0`)
    await tx.execute(sql`
      insert into terms (school_id, school_year, semester, name, start_date, end_date)
      select id, '2026-2027', 1, '2026-2027学年上学期', '2026-09-01', '2027-01-22' from scale_school`)
    await tx.execute(sql`
      insert into holidays (school_id, name, kind, start_date, end_date, major)
      select id, h.name, h.kind, h.start_date::date, h.end_date::date, h.major from scale_school
      cross join (values ('国庆节', 'national_day', '2026-10-01', '2026-10-07', true), ('元旦', 'other', '2027-01-01', '2027-01-03', false))
        as h(name, kind, start_date, end_date, major)`)
    return districtId
  })
  await database.db.execute(sql`analyze`)
  return { districtId, students, schools }
}

export async function benchDutiesScale(opts: SectionOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const students = opts.scale?.students ?? 1_000_000
  const schools = opts.scale?.schools ?? Math.max(1, Math.round(students / 1_000))
  const config = benchConfig()
  const database = await openBenchDatabase(opts.url, 4)
  const size = `${students.toLocaleString('en')} students in ${schools.toLocaleString('en')} schools`
  try {
    note(`scale run, ${mode}: ${size}`)
    const s0 = performance.now()
    const world = await seedScaleDistrict(database, students, schools)
    const seedMs = performance.now() - s0
    note(`seeded by generate_series in ${(seedMs / 1000).toFixed(1)} s`)
    const { first, genMs, againMs, overdueMs } = await timeDutyJobs(database, config)
    note(`generate-duties ${(genMs / 1000).toFixed(1)} s: ${JSON.stringify(first.counts)}`)
    const [count] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from talk_duties`)
    const metrics: Metric[] = [
      { name: `scale_seed_s_${mode}`, value: round(seedMs / 1000, 1), unit: `s (${size}, generate_series)` },
      { name: `scale_duty_gen_s_${mode}`, value: round(genMs / 1000, 2), unit: `s (${size})` },
      { name: `scale_duty_gen_rerun_s_${mode}`, value: round(againMs / 1000, 2), unit: 's (idempotent re-run)' },
      { name: `scale_duty_mark_overdue_s_${mode}`, value: round(overdueMs / 1000, 2), unit: 's' },
      { name: `scale_duties_created_${mode}`, value: count!.n, unit: 'duties' },
    ]
    for (const hook of scaleHooks) {
      note(`scale hook: ${hook.name}`)
      metrics.push(...(await hook.run(database, world, opts)))
    }
    return metrics
  } finally {
    await database.close()
  }
}
