import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { dayIn, schoolYearWindow } from '../../src/modules/district/school-year.js'
import { TableNames } from '../../src/modules/district/tables.js'
import { buildTestApp, createUser, login, type SchoolFixture } from '../helpers/app.js'
import { attack } from './attack.js'
import { rebuild } from './rebuild.js'
import { generateDistrict } from './synthetic.js'

/**
 * Every table the district role can fetch, attacked jointly (single
 * unknowns, exact elimination, intervals with withheld ≥ 1) — nothing recovered; no answer
 * carries a student id, a name or any personal field; one district never sees another.
 */

type Body = Record<string, unknown>
const fixtureOf = (districtId: string, schoolId: string): SchoolFixture => ({ districtId, schoolId, gradeId: '', classIds: ['', ''] })

async function fetchAll(app: Parameters<typeof login>[0], token: string) {
  const bodies: Record<string, Body> = {}
  const raw: string[] = []
  for (const name of TableNames) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/district/tables/${name}`, headers: { authorization: `Bearer ${token}` } })
    if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    bodies[name] = res.json() as Body
    raw.push(res.body)
  }
  return { bodies, raw }
}

/** Every text in the workbook: sheet names and cell values. */
async function workbookText(buf: Buffer): Promise<{ text: string; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  const parts: string[] = []
  wb.eachSheet((ws) => {
    parts.push(ws.name)
    ws.eachRow((row) => row.eachCell((c) => parts.push(String(c.value))))
  })
  return { text: parts.join('\n'), wb }
}

function attackAll(t: { comment(...a: unknown[]): void }, label: string, bodies: Record<string, Body>) {
  const system = rebuild(bodies)
  const withheld = [...system.published.values()].filter((v) => v === null).length
  const result = attack(system.published, system.relations, { floor: 1 })
  t.comment(`${label}: ${system.counts} counts published in ${TableNames.length} tables, ${system.relations.length} relations, ${withheld} withheld cells attacked, ${result.recovered.length} recovered`)
  console.log(`# disclosure (${label}): ${withheld} withheld cells attacked across ${TableNames.length} tables, ${result.recovered.length} recovered`)
  return { system, withheld, result }
}

t.test('synthetic districts: nothing recoverable, nothing personal, no other district', async (t) => {
  const { app, database } = await buildTestApp(t)
  const y = schoolYearWindow(dayIn('Asia/Shanghai'))
  const X = await generateDistrict(database, { schools: 9, students: 2400, seed: 11, y, canary: 'CANARYX', tinyGrades: 0.3 })
  const Y = await generateDistrict(database, { schools: 3, students: 500, seed: 12, y, canary: 'CANARYY' })
  const staffX = await createUser(database, fixtureOf(X.districtId, X.schoolIds[0]!), [{ role: 'district_staff' }])
  const staffY = await createUser(database, fixtureOf(Y.districtId, Y.schoolIds[0]!), [{ role: 'district_staff' }])
  const tokenX = (await login(app, staffX.username)).accessToken
  const tokenY = (await login(app, staffY.username)).accessToken

  const { bodies, raw } = await fetchAll(app, tokenX)
  const { system, withheld, result } = attackAll(t, 'synthetic district', bodies)
  t.ok(withheld > 50, `the data withhold enough to attack (${withheld})`)
  t.same(system.conflicts, [], 'a cell withheld in one table is withheld in all')
  t.same(system.derivedLeaks, [], 'no share or median over a withheld count')
  t.same(result.recovered, [], 'no withheld cell recovered')
  const shown = [...system.published.values()].filter((v): v is number => v !== null)
  t.notOk(shown.some((v) => v >= 1 && v <= 10), 'no count from 1 to 10 is shown')
  t.ok(shown.some((v) => v === 0), 'zeros are shown')

  t.test('district isolation', async (t) => {
    const allX = raw.join('\n')
    for (const id of Y.schoolIds) t.notOk(allX.includes(id), 'no school of district Y in district X answers')
    for (const id of X.schoolIds) t.ok(allX.includes(id), 'every school of district X is listed')
    const other = await fetchAll(app, tokenY)
    const allY = other.raw.join('\n')
    for (const id of X.schoolIds) t.notOk(allY.includes(id), 'no school of district X in district Y answers')
    t.same((other.bodies['risk-current']!.districts as Body[]).map((d) => d.districtId), [Y.districtId])
  })

  t.test('canary scan: no id, name or personal field of a student in any answer', async (t) => {
    const xlsx = await app.inject({ method: 'GET', url: '/api/v1/district/export.xlsx', headers: { authorization: `Bearer ${tokenX}` } })
    t.equal(xlsx.statusCode, 200)
    const { text } = await workbookText(xlsx.rawPayload)
    const answers = [...raw, text]
    t.ok(text.includes('全区合计'), 'the workbook was read')
    let scanned = 0
    for (const body of answers) {
      t.notOk(/CANARY/.test(body), 'no canary (names, student numbers, guardians, reasons, summaries, titles)')
      for (const id of [...X.personalIds, ...Y.personalIds]) {
        scanned++
        if (body.includes(id)) t.fail(`personal record id ${id} in an answer`)
      }
      t.notOk(/"(studentId|studentNo|name|birthDate|phone)":"[^"]*(学生|家长|CANARY)/.test(body))
    }
    t.ok(scanned > 1000, `${scanned} id checks`)
  })

  t.test('every answer is audited with school ids only', async (t) => {
    const before = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where resource = 'district_stats'`)
    await fetchAll(app, tokenX)
    await app.inject({ method: 'GET', url: '/api/v1/district/export.xlsx', headers: { authorization: `Bearer ${tokenX}` } })
    const rows = await queryRows<{ action: string; record_ids: string[]; student_ids: string[]; outcome: string }>(database.db, sql`
      select action, record_ids, student_ids, outcome from audit_log where resource = 'district_stats' order by seq desc limit ${TableNames.length + 1}`)
    const after = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where resource = 'district_stats'`)
    t.equal(after[0]!.n - before[0]!.n, TableNames.length + 1, 'one row per answer, cached or not')
    t.same(rows.map((r) => r.action).sort(), ['E', ...TableNames.map(() => 'R')].sort())
    for (const r of rows) {
      t.same([...r.record_ids].sort(), [...X.schoolIds].sort(), 'record ids are the district\'s schools')
      t.same(r.student_ids, [], 'no student id')
      t.equal(r.outcome, 'ok')
    }
  })

  t.test('the export carries the same cells as the API', async (t) => {
    const xlsx = await app.inject({ method: 'GET', url: '/api/v1/district/export.xlsx', headers: { authorization: `Bearer ${tokenX}` } })
    t.match(String(xlsx.headers['content-type']), /spreadsheetml/)
    const { wb } = await workbookText(xlsx.rawPayload)
    const ws = wb.worksheets.find((w) => w.name.startsWith('当前风险'))!
    const rc = (bodies['risk-current']!.districts as Body[])[0]! as { schools: Array<{ code: string; rows: Array<{ cells: Record<string, { value: number | null; suppressed: boolean }>; total: { value: number | null; suppressed: boolean } }> }> }
    const expected: Array<Array<string | number>> = []
    const cell = (c: { value: number | null; suppressed: boolean }) => (c.suppressed ? '*' : c.value ?? '—')
    for (const s of rc.schools) for (const r of s.rows) expected.push(['red', 'orange', 'yellow', 'green', 'unassessed'].map((k) => cell(r.cells[k]!)).concat(cell(r.total)))
    const got: Array<Array<string | number>> = []
    ws.eachRow((row, n) => {
      const school = String(row.getCell(1).value)
      const grade = String(row.getCell(2).value)
      if (n === 1 || school.startsWith('全区') || grade.startsWith('小计')) return
      got.push([3, 4, 5, 6, 7, 8].map((i) => row.getCell(i).value as string | number))
    })
    t.same(got, expected, 'sheet rows equal the API rows, withheld cells as *')
  })

  t.test('other roles get 403 on every district route', async (t) => {
    const other = await createUser(database, { districtId: X.districtId, schoolId: X.schoolIds[0]!, gradeId: '', classIds: ['', ''] }, [{ role: 'psych_teacher' }, { role: 'school_admin' }])
    const token = (await login(app, other.username)).accessToken
    for (const url of [...TableNames.map((n) => `/api/v1/district/tables/${n}`), '/api/v1/district/export.xlsx']) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
      t.equal(res.statusCode, 403, url)
    }
  })

  t.test('no free parameter: a filter or date range is refused, not applied', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/district/tables/risk-current?schoolId=${X.schoolIds[0]}&from=2026-01-01`, headers: { authorization: `Bearer ${tokenX}` } })
    // Unknown query keys change nothing: the answer is the whole fixed table.
    t.equal(res.statusCode, 200)
    t.equal(((res.json() as Body).districts as Array<{ schools: unknown[] }>)[0]!.schools.length, X.schoolIds.length)
  })
})

t.test('more synthetic districts (other seeds, other shapes): nothing recoverable', async (t) => {
  const { app, database } = await buildTestApp(t)
  const y = schoolYearWindow(dayIn('Asia/Shanghai'))
  let attacked = 0
  for (const [seed, schools, students, tiny] of [[21, 9, 2400, 0.3], [51, 9, 2400, 0.3], [77, 16, 3000, 0.5]] as const) {
    const D = await generateDistrict(database, { schools, students, seed, y, tinyGrades: tiny })
    const staff = await createUser(database, fixtureOf(D.districtId, D.schoolIds[0]!), [{ role: 'district_staff' }])
    const { bodies } = await fetchAll(app, (await login(app, staff.username)).accessToken)
    const { system, withheld, result } = attackAll(t, `synthetic district seed ${seed}`, bodies)
    attacked += withheld
    t.same(system.conflicts, [])
    t.same(system.derivedLeaks, [])
    t.same(result.recovered, [], `seed ${seed}: no withheld cell recovered`)
  }
  t.ok(attacked > 1000, `${attacked} withheld cells attacked`)
})

t.test('the demo district: nothing recoverable', async (t) => {
  const { app, database } = await buildTestApp(t)
  await seedDemoIfEmpty(database, { password: 'XinAn-demo-2026' })
  const token = (await login(app, 'district.demo', 'XinAn-demo-2026')).accessToken
  const { bodies } = await fetchAll(app, token)
  const schools = ((bodies['risk-current']!.districts as Body[])[0]!.schools as unknown[]).length
  t.ok(schools >= 5, `the demo district has ${schools} schools`)
  const { system, withheld, result } = attackAll(t, 'demo district', bodies)
  t.ok(withheld > 20, 'the demo shows suppression')
  t.same(system.conflicts, [])
  t.same(system.derivedLeaks, [])
  t.same(result.recovered, [], 'no withheld cell recovered')
})
