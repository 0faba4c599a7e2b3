/**
 * Bench §5: the nightly 三个必谈 generation for 100,000
 * students (quick: 20,000, the time scaled to 100k and labelled so). A roster by COPY — 100
 * schools × 1,000 students (quick: 20 × 1,000), 20 classes a school, 5% on the care list,
 * this semester's calendar — then the generate-duties job (one set-based INSERT … SELECT …
 * ON CONFLICT DO NOTHING) on a day when all three kinds of window are current (国庆 return,
 * October, the semester), its idempotent re-run, and mark-overdue once the return window closed.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/db/database.js'
import { atSchoolTime } from '../../src/lib/school-day.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob } from '../../src/jobs/runner.js'
import { benchConfig, modeOf, note, openBenchDatabase, round, type Metric, type SectionOptions } from './common.js'

const CLASSES_PER_SCHOOL = 20
const CARE_SHARE = 0.05

export interface DutiesBenchOptions extends SectionOptions {
  students?: number
  schools?: number
  /** Load the roster and stop, keeping the database (to study plans): no metrics. */
  setupOnly?: boolean
}

export async function loadRoster(database: Database, students: number, nSchools: number): Promise<void> {
  const districtId = randomUUID()
  await database.copyRows('districts', ['id', 'code', 'name'], [[districtId, `BENCH-${districtId.slice(0, 6)}`, '压测区']])
  const schoolIds = Array.from({ length: nSchools }, () => randomUUID())
  await database.copyRows('schools', ['id', 'district_id', 'code', 'name', 'stage'],
    schoolIds.map((id, i) => [id, districtId, `B${districtId.slice(0, 6)}${String(i).padStart(4, '0')}`, `压测学校${i}`, 'junior']))
  const gradeRows: unknown[][] = []
  const classRows: unknown[][] = []
  const classesOf = new Map<string, string[]>()
  for (const schoolId of schoolIds) {
    const gradeId = randomUUID()
    gradeRows.push([schoolId, gradeId, 7, '七年级'])
    const ids = Array.from({ length: CLASSES_PER_SCHOOL }, () => randomUUID())
    ids.forEach((id, k) => classRows.push([schoolId, id, gradeId, `七年级(${k + 1})班`, k + 1]))
    classesOf.set(schoolId, ids)
  }
  await database.copyRows('grades', ['school_id', 'id', 'level', 'name'], gradeRows)
  await database.copyRows('classes', ['school_id', 'id', 'grade_id', 'name', 'seq'], classRows)
  const studentRows: unknown[][] = []
  const careRows: unknown[][] = []
  for (let i = 0; i < students; i++) {
    const schoolId = schoolIds[i % nSchools]!
    const classes = classesOf.get(schoolId)!
    const id = randomUUID()
    studentRows.push([schoolId, id, `S${i}`, `学生${i}`, i % 2 ? 'M' : 'F', classes[Math.floor(i / nSchools) % classes.length]])
    if (i % Math.round(1 / CARE_SHARE) === 0) careRows.push([schoolId, id, 'yellow'])
  }
  for (let i = 0; i < studentRows.length; i += 50_000) {
    await database.copyRows('students', ['school_id', 'id', 'student_no', 'name', 'gender', 'class_id'], studentRows.slice(i, i + 50_000))
  }
  await database.copyRows('care_list', ['school_id', 'student_id', 'risk_level'], careRows)
  await database.copyRows('terms', ['school_id', 'school_year', 'semester', 'name', 'start_date', 'end_date'],
    schoolIds.map((id) => [id, '2026-2027', 1, '2026-2027学年上学期', '2026-09-01', '2027-01-22']))
  await database.copyRows('holidays', ['school_id', 'name', 'kind', 'start_date', 'end_date', 'major'], schoolIds.flatMap((id) => [
    [id, '国庆节', 'national_day', '2026-10-01', '2026-10-07', true],
    [id, '元旦', 'other', '2027-01-01', '2027-01-03', false],
  ]))
  await database.db.execute(sql`analyze`)
}

export async function benchDuties(opts: DutiesBenchOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const students = opts.students ?? opts.scale?.students ?? (opts.quick ? 20_000 : 100_000)
  const nSchools = opts.schools ?? opts.scale?.schools ?? Math.max(1, Math.round(students / 1_000))
  const config = benchConfig()
  const database = await openBenchDatabase(opts.url, 4)
  try {
    note(`三个必谈 duty generation, ${mode}: ${students.toLocaleString('en')} students in ${nSchools} schools`)
    const r0 = performance.now()
    await loadRoster(database, students, nSchools)
    const rosterMs = performance.now() - r0
    if (opts.setupOnly) {
      note('setup only: roster loaded, nothing timed')
      return []
    }
    const { first, late, genMs, againMs, overdueMs } = await timeDutyJobs(database, config)
    const [count] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from talk_duties`)
    note(`created ${JSON.stringify(first.counts)}; overdue ${JSON.stringify(late.counts)}`)
    const scale = 100_000 / students
    const k = `${Math.round(students / 1000)}k`
    return [
      { name: `duty_roster_load_s_${mode}`, value: round(rosterMs / 1000, 2), unit: `s (${k} students by COPY)` },
      // Scaled up from a quick run; a scale run (more than 100k) reports what it measured only.
      ...(students > 100_000 ? [] : [{ name: `duty_gen_s_100k_${mode}`, value: round((genMs / 1000) * scale, 2), unit: scale === 1 ? 's' : `s (scaled ×${round(scale, 2)} from ${k})` }]),
      { name: `duty_gen_s_measured_${mode}`, value: round(genMs / 1000, 2), unit: `s (${k} students)` },
      { name: `duty_gen_rerun_s_${mode}`, value: round(againMs / 1000, 2), unit: `s (${k}, idempotent re-run)` },
      { name: `duty_mark_overdue_s_${mode}`, value: round(overdueMs / 1000, 2), unit: `s (${k})` },
      { name: `duties_created_${mode}`, value: count!.n, unit: 'duties' },
    ]
  } finally {
    await database.close()
  }
}

/**
 * The nightly duty jobs timed as they run: generation, its re-run (which must create nothing)
 * and the overdue marking, on 2026-10-08. Shared by the 100k section and the scale run.
 */
export async function timeDutyJobs(database: Database, config: ReturnType<typeof benchConfig>) {
  const gen = jobsByName.get('generate-duties')!
  const overdue = jobsByName.get('mark-overdue')!
  const day = '2026-10-08'
  const g0 = performance.now()
  const first = await runJob(database, gen, { now: atSchoolTime(day), config })
  const genMs = performance.now() - g0
  if (first.status !== 'ok') throw new Error(`generate-duties: ${first.status} ${first.error ?? JSON.stringify(first.counts)}`)
  const g1 = performance.now()
  const again = await runJob(database, gen, { now: atSchoolTime(day), config })
  const againMs = performance.now() - g1
  if (again.counts?.created !== 0) throw new Error(`re-run created ${String(again.counts?.created)} duties`)
  const o0 = performance.now()
  const late = await runJob(database, overdue, { now: atSchoolTime('2026-10-15'), config })
  const overdueMs = performance.now() - o0
  if (late.status !== 'ok') throw new Error(`mark-overdue: ${late.status} ${late.error ?? ''}`)
  return { first, late, genMs, againMs, overdueMs }
}
