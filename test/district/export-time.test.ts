import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { buildTestApp, login, TEST_PASSWORD } from '../helpers/app.js'
import { schoolDateTime } from '../../src/lib/school-time.js'

/** Times in Excel files are the school's (Asia/Shanghai), not UTC. */
t.test('an instant is written in the school time zone', async (t) => {
  t.equal(schoolDateTime('2026-12-05T19:29:00.000Z'), '2026-12-06 03:29', 'evening UTC is the next morning in Shanghai')
  t.equal(schoolDateTime(new Date('2026-06-30T16:00:00Z')), '2026-07-01 00:00')
  t.equal(schoolDateTime('2026-12-05T19:29:00Z', 'UTC'), '2026-12-05 19:29', 'the zone is the configured one')
  t.equal(schoolDateTime(null), '')
})

t.test('the district workbook says when it was generated, in Shanghai time', async (t) => {
  const { app, database } = await buildTestApp(t)
  await seedDemoIfEmpty(database, { password: TEST_PASSWORD })
  const token = (await login(app, 'district.demo')).accessToken
  const auth = { authorization: `Bearer ${token}` }
  const table = await app.inject({ method: 'GET', url: '/api/v1/district/tables/risk-current', headers: auth })
  t.equal(table.statusCode, 200)
  const generatedAt = (table.json() as { generatedAt: string }).generatedAt
  const xlsx = await app.inject({ method: 'GET', url: '/api/v1/district/export.xlsx', headers: auth })
  t.equal(xlsx.statusCode, 200)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const text: string[] = []
  wb.getWorksheet('说明 Notes')!.eachRow((row) => text.push(String(row.getCell(1).value ?? '')))
  const line = text.find((l) => l.includes('Generated'))
  t.ok(line, 'the notes say when')
  t.match(line, schoolDateTime(generatedAt, 'Asia/Shanghai'), `as ${schoolDateTime(generatedAt, 'Asia/Shanghai')} (from ${generatedAt})`)
  t.notMatch(line, /\d{2}T\d{2}:\d{2}/, 'no UTC timestamp')
})
