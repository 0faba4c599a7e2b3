/**
 * Closing figure of issue 6: how long the nightly 三个必谈 generation takes for 100,000
 * students. Builds a synthetic district by COPY (default: 100 schools × 1,000 students, 5%
 * of them on the care list, each school with this semester's calendar), then times the
 * generate-duties job — one set-based INSERT … SELECT … ON CONFLICT DO NOTHING — on a day
 * when all three kinds of window are current (国庆 return, October, the semester), its
 * idempotent re-run, and mark-overdue after the return window has closed.
 *
 *   npx tsx scripts/bench-duties.ts [--students 100000] [--schools 100] [--setup-only]
 *
 * Embedded PGlite (in memory) by default; with DATABASE_URL, a scratch database is created
 * on that server, used and dropped (kept with --setup-only, to study the plans). Every name in
 * it is synthetic.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { loadConfig, type Config } from '../src/config.js'
import { openDatabase, queryRows, type Database } from '../src/db/database.js'
import { runMigrations } from '../src/db/migrate.js'
import { atSchoolTime } from '../src/jobs/clock.js'
import { jobsByName } from '../src/jobs/jobs.js'
import { runJob } from '../src/jobs/runner.js'

const args = process.argv.slice(2)
const opt = (flag: string, dflt: number) => {
  const i = args.indexOf(flag)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const STUDENTS = opt('--students', 100_000)
const SCHOOLS = opt('--schools', 100)
const CLASSES_PER_SCHOOL = 20
const CARE_SHARE = 0.05

const config: Config = { ...loadConfig({ ...process.env, JOBS_ENABLED: 'false' }), jwtSecret: 'bench'.repeat(8) }
const serverUrl = config.DATABASE_URL

async function open(): Promise<{ database: Database; drop(): Promise<void>; label: string }> {
  if (!serverUrl) {
    const database = await openDatabase({ memory: true })
    await runMigrations(database)
    return { database, drop: () => database.close(), label: 'embedded (PGlite, in memory)' }
  }
  const { default: postgres } = await import('postgres')
  const name = `xinan_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  const url = u.toString()
  const database = await openDatabase({ url, poolMax: 4 })
  await runMigrations(database, url)
  return {
    database,
    label: `server (PostgreSQL, scratch database ${name})`,
    async drop() {
      await database.close()
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end({ timeout: 5 })
    },
  }
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  const r = await fn()
  console.log(`${label.padEnd(44)} ${String(Math.round(performance.now() - t0)).padStart(7)} ms`)
  return r
}

const { database, drop, label } = await open()
console.log(`三个必谈 duty generation: ${STUDENTS.toLocaleString('en')} students in ${SCHOOLS} schools — ${label}`)
try {
  await timed('roster, calendar and care list by COPY', async () => {
    const districtId = randomUUID()
    await database.copyRows('districts', ['id', 'code', 'name'], [[districtId, 'BENCH', '压测区']])
    const schoolIds = Array.from({ length: SCHOOLS }, () => randomUUID())
    await database.copyRows('schools', ['id', 'district_id', 'code', 'name', 'stage'],
      schoolIds.map((id, i) => [id, districtId, `B${String(i).padStart(4, '0')}`, `压测学校${i}`, 'junior']))
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
    for (let i = 0; i < STUDENTS; i++) {
      const schoolId = schoolIds[i % SCHOOLS]!
      const classes = classesOf.get(schoolId)!
      const id = randomUUID()
      studentRows.push([schoolId, id, `S${i}`, `学生${i}`, i % 2 ? 'M' : 'F', classes[Math.floor(i / SCHOOLS) % classes.length]])
      if (i % Math.round(1 / CARE_SHARE) === 0) careRows.push([schoolId, id, 'yellow'])
    }
    await database.copyRows('students', ['school_id', 'id', 'student_no', 'name', 'gender', 'class_id'], studentRows)
    await database.copyRows('care_list', ['school_id', 'student_id', 'risk_level'], careRows)
    await database.copyRows('terms', ['school_id', 'school_year', 'semester', 'name', 'start_date', 'end_date'],
      schoolIds.map((id) => [id, '2026-2027', 1, '2026-2027学年上学期', '2026-09-01', '2027-01-22']))
    await database.copyRows('holidays', ['school_id', 'name', 'kind', 'start_date', 'end_date', 'major'], schoolIds.flatMap((id) => [
      [id, '国庆节', 'national_day', '2026-10-01', '2026-10-07', true],
      [id, '元旦', 'other', '2027-01-01', '2027-01-03', false],
    ]))
    await database.db.execute(sql`analyze`)
  })

  if (args.includes('--setup-only')) {
    console.log('setup only: the database is kept')
    process.exit(0)
  }
  const gen = jobsByName.get('generate-duties')!
  const overdue = jobsByName.get('mark-overdue')!
  const day = '2026-10-08'
  const first = await timed(`generate-duties ${day} (first run)`, () => runJob(database, gen, { now: atSchoolTime(day), config }))
  console.log(`  → ${first.status}, ${JSON.stringify(first.counts)}`)
  const again = await timed(`generate-duties ${day} (re-run, idempotent)`, () => runJob(database, gen, { now: atSchoolTime(day), config }))
  console.log(`  → ${again.status}, ${JSON.stringify(again.counts)}`)
  const late = await timed('mark-overdue 2026-10-15', () => runJob(database, overdue, { now: atSchoolTime('2026-10-15'), config }))
  console.log(`  → ${late.status}, ${JSON.stringify(late.counts)}`)
  const rows = await queryRows<{ kind: string; n: string | number }>(database.db, sql`select kind, count(*) as n from talk_duties group by kind order by kind`)
  console.log(`duties: ${rows.map((r) => `${r.kind} ${Number(r.n).toLocaleString('en')}`).join(', ')}`)
} finally {
  await drop()
}
