import t from './helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../src/db/database.js'
import { DEMO_ACCOUNTS, DEMO_STUDENT_COUNT, seedDemoIfEmpty } from '../src/demo/seed.js'
import { buildTestApp } from './helpers/app.js'

const PASSWORD = 'XinAn-demo-2026'

interface Counts {
  districts: number; schools: number; grades: number; classes: number; students: number
  guardians: number; terms: number; holidays: number; users: number; user_roles: number
}

async function counts(database: Database): Promise<Counts> {
  const rows = await queryRows<Counts>(database.db, sql`select
    (select count(*)::int from districts) as districts,
    (select count(*)::int from schools) as schools,
    (select count(*)::int from grades) as grades,
    (select count(*)::int from classes) as classes,
    (select count(*)::int from students) as students,
    (select count(*)::int from guardians) as guardians,
    (select count(*)::int from terms) as terms,
    (select count(*)::int from holidays) as holidays,
    (select count(*)::int from users) as users,
    (select count(*)::int from user_roles) as user_roles`)
  return rows[0]!
}

t.test('demo seed fills an empty database once, and every demo account signs in', async (t) => {
  const { app, database } = await buildTestApp(t)

  const started = performance.now()
  const seeded = await seedDemoIfEmpty(database, { password: PASSWORD, extensions: false })
  const ms = performance.now() - started
  // Speed is measured, not asserted (timed tests flake on a loaded machine).
  t.comment(`demo seed took ${Math.round(ms)} ms`)
  t.same(seeded, { accounts: ['admin.demo', 'psych.demo', 'homeroom.demo', 'mentor.demo', 'monitor.demo', 'district.demo'] })

  const before = await counts(database)
  t.equal(before.districts, 1)
  t.equal(before.schools, 1)
  t.equal(before.grades, 9)
  t.equal(before.terms, 2)
  t.equal(before.students, DEMO_STUDENT_COUNT)
  t.ok(before.students >= 280 && before.students <= 320, 'about 300 students')
  t.ok(before.guardians >= before.students, 'at least one guardian per student on average')
  t.equal(before.users, 6)
  t.equal(before.user_roles, 6)

  t.test('roster shape', async (t) => {
    const orphans = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from students s
      where not exists (select 1 from guardians g where g.school_id = s.school_id and g.student_id = s.id)`)
    t.equal(orphans[0]!.n, 0, 'every student has a guardian')
    const tooMany = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from (
      select student_id from guardians group by student_id having count(*) > 2) x`)
    t.equal(tooMany[0]!.n, 0, 'no student has more than two guardians')

    const levels = await queryRows<{ level: number; name: string; classes: number }>(database.db, sql`
      select g.level, g.name, (select count(*)::int from classes c where c.grade_id = g.id) as classes
      from grades g order by g.level`)
    t.same(levels.map((g) => g.level), [4, 5, 6, 7, 8, 9, 10, 11, 12])
    t.equal(levels.find((g) => g.level === 10)?.name, '高一')
    for (const g of levels) t.ok(g.classes >= 2 && g.classes <= 3, `${g.name} has 2–3 classes`)

    const names = await queryRows<{ name: string }>(database.db, sql`select name from classes`)
    t.ok(names.some((c) => c.name === '七年级(1)班'))

    // Birth dates fit the grade: a September cut-off puts a grade-7 pupil at 12 or 13 on 1 Sept 2026.
    const ages = await queryRows<{ level: number; min_age: number; max_age: number }>(database.db, sql`
      select g.level,
        min(extract(year from age(date '2026-09-01', s.birth_date)))::int as min_age,
        max(extract(year from age(date '2026-09-01', s.birth_date)))::int as max_age
      from students s join classes c on c.id = s.class_id join grades g on g.id = c.grade_id
      group by g.level order by g.level`)
    for (const a of ages) {
      t.ok(a.min_age >= a.level + 5 && a.max_age <= a.level + 6, `grade ${a.level}: ages ${a.min_age}–${a.max_age}`)
    }

    const nos = await queryRows<{ student_no: string }>(database.db, sql`select student_no from students`)
    t.ok(nos.every((s) => /^2026\d{4}$/.test(s.student_no)), 'student numbers look like 2026xxxx')
    const phones = await queryRows<{ phone: string }>(database.db, sql`select phone from guardians`)
    t.ok(phones.every((p) => /^13[89]\d{8}$/.test(p.phone)), 'phones are synthetic 138/139 numbers')
    const genders = await queryRows<{ gender: string }>(database.db, sql`select distinct gender from students order by 1`)
    t.same(genders.map((g) => g.gender), ['F', 'M'])

    const holidays = await queryRows<{ name: string; kind: string; major: boolean }>(database.db, sql`
      select name, kind, major from holidays order by start_date`)
    t.same(holidays.filter((h) => h.major).map((h) => h.kind).sort(), ['national_day', 'spring_festival', 'summer', 'winter'])
    const termRows = await queryRows<{ semester: number; start_date: string; end_date: string }>(database.db, sql`
      select semester, start_date::text, end_date::text from terms order by semester`)
    t.same(termRows, [
      { semester: 1, start_date: '2026-09-01', end_date: '2027-01-22' },
      { semester: 2, start_date: '2027-02-22', end_date: '2027-07-09' },
    ])
  })

  t.test('each account signs in with the demo password and has its scope', async (t) => {
    const homeroomClass = await queryRows<{ id: string }>(database.db, sql`select id from classes where name = '七年级(1)班'`)
    for (const account of DEMO_ACCOUNTS) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: account.username, password: PASSWORD } })
      t.equal(res.statusCode, 200, `${account.username} signs in`)
      const { user } = res.json() as { user: { schoolId: string | null; districtId: string | null; roles: Array<{ role: string; schoolId: string | null; classId: string | null; districtId: string | null }> } }
      t.same(user.roles.map((r) => r.role), [account.role], `${account.username} is ${account.role}`)
      const grant = user.roles[0]!
      if (account.role === 'district_staff') {
        t.equal(user.schoolId, null)
        t.ok(user.districtId)
        t.equal(grant.districtId, user.districtId)
        t.equal(grant.schoolId, null)
      } else {
        t.ok(user.schoolId)
        t.equal(grant.schoolId, user.schoolId)
        const expectedClass = account.role === 'homeroom_teacher' || account.role === 'peer_monitor' ? homeroomClass[0]!.id : null
        t.equal(grant.classId, expectedClass, `${account.username} class scope`)
      }
    }
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'psych.demo', password: 'not-the-password-1' } })
    t.equal(wrong.statusCode, 401)
  })

  t.test('a second call finds the district and changes nothing', async (t) => {
    const again = await seedDemoIfEmpty(database, { password: 'Another-password-99' })
    t.equal(again, null)
    const after = await counts(database)
    t.same(after, before)
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin.demo', password: PASSWORD } })
    t.equal(res.statusCode, 200, 'the original password still works')
  })
})

t.test('two concurrent seeds on one empty database produce one district', async (t) => {
  const { database } = await buildTestApp(t)
  const results = await Promise.all([
    seedDemoIfEmpty(database, { password: PASSWORD, extensions: false }),
    seedDemoIfEmpty(database, { password: PASSWORD, extensions: false }),
  ])
  t.equal(results.filter((r) => r !== null).length, 1)
  const c = await counts(database)
  t.equal(c.districts, 1)
  t.equal(c.students, DEMO_STUDENT_COUNT)
})

t.test('with every module’s demo records the seed still succeeds and the demo school keeps its roster', async (t) => {
  const { app, database } = await buildTestApp(t)
  const started = performance.now()
  const seeded = await seedDemoIfEmpty(database, { password: PASSWORD })
  t.comment(`full demo seed took ${Math.round(performance.now() - started)} ms`)
  t.ok(seeded)
  const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from students s join schools sc on sc.id = s.school_id where sc.code = 'DEMO-001'`)
  t.equal(rows[0]!.n, DEMO_STUDENT_COUNT)
  for (const a of DEMO_ACCOUNTS) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: a.username, password: PASSWORD } })
    t.equal(res.statusCode, 200, `${a.username} signs in`)
  }
})
