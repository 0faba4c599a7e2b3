import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { randomBytes } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { emergencyPlans, inspectionDocuments, staffTrainings, users } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { sharedTestApp, createSchool, createUser, injectAs, login } from '../helpers/app.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

async function xlsxOf(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('教师培训')
  for (const r of rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

t.test('督导资料: documents, 领导小组, 工作方案, 教师培训, 应急预案与演练', async (t) => {
  const { app, database } = await sharedTestApp()
  const { db } = database
  const school = await createSchool(database)
  const otherSchool = await createSchool(database)
  const admin = await createUser(database, school, [{ role: 'school_admin' }])
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const homeroom = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }])
  const district = await createUser(database, school, [{ role: 'district_staff' }])
  const adminB = await createUser(database, otherSchool, [{ role: 'school_admin' }])
  const tok = async (u: { username: string }) => (await login(app, u.username)).accessToken
  const [A, P, H, D, B] = [await tok(admin), await tok(psych), await tok(homeroom), await tok(district), await tok(adminB)]
  const as = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    injectAs(app, token, { method, url: `/api/v1/inspection${url}`, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) })

  const countOf = async (table: 'inspection_documents' | 'staff_trainings' | 'emergency_plans', schoolId = school.schoolId) =>
    (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)} where school_id = ${schoolId}`))[0]!.n

  // ── documents ──
  const bytes = randomBytes(50_000)
  const fileName = '心理健康工作方案（2026-2027）.pdf'
  const up = await as(A, 'POST', '/documents', { fileName, content: bytes.toString('base64') })
  t.equal(up.statusCode, 201, up.body)
  const doc = up.json()
  t.equal(doc.sizeBytes, bytes.length, 'the size is the decoded size')
  t.equal(doc.mediaType, 'application/pdf', 'the type follows the extension')
  t.equal(doc.fileName, fileName)
  t.notOk('content' in doc, 'the answer does not echo the file')

  const list = await as(P, 'GET', '/documents')
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((i: { id: string }) => i.id), [doc.id], 'the psychology teacher lists it')
  t.notOk('content' in list.json().items[0], 'a list carries no file content')

  for (const [who, token] of [['admin', A], ['psych', P]] as const) {
    const dl = await injectAs(app, token, { method: 'GET', url: `/api/v1/inspection/documents/${doc.id}/content` })
    t.equal(dl.statusCode, 200, `${who} downloads`)
    t.ok(dl.rawPayload.equals(bytes), `${who}: the bytes are those uploaded`)
    t.equal(dl.headers['content-type'], 'application/pdf')
    const cd = String(dl.headers['content-disposition'])
    t.match(cd, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/, 'attachment with an ASCII fallback and filename*')
    t.equal(decodeURIComponent(cd.split("filename*=UTF-8''")[1]!), fileName, 'the Chinese name survives')
  }
  for (const [who, token] of [['homeroom', H], ['district', D], ['another school', B]] as const) {
    const dl = await injectAs(app, token, { method: 'GET', url: `/api/v1/inspection/documents/${doc.id}/content` })
    t.equal(dl.statusCode, 404, `${who} cannot download`)
  }
  t.equal((await as(P, 'POST', '/documents', { fileName: 'a.txt', content: 'aGk=' })).statusCode, 403, 'psychology teachers do not upload')
  t.equal((await as(H, 'GET', '/documents')).statusCode, 403, 'homeroom teachers list nothing here')

  const docsBefore = await countOf('inspection_documents')
  const big = await as(A, 'POST', '/documents', { fileName: 'big.pdf', content: Buffer.alloc(10 * 1_048_576 + 1, 7).toString('base64') })
  t.equal(big.statusCode, 413, 'one byte over 10 MB is refused')
  t.equal(big.json().code, 'document_too_large')
  t.match(big.json().message, /10 MB/, 'the message says the limit')
  const exact = await as(A, 'POST', '/documents', { fileName: 'max.docx', content: Buffer.alloc(10 * 1_048_576, 7).toString('base64') })
  t.equal(exact.statusCode, 201, '10 MB itself is kept')
  const bad = await as(A, 'POST', '/documents', { fileName: 'x.pdf', content: '***' })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().details, { fields: ['content'] }, 'a bad encoding names the field')
  t.equal(await countOf('inspection_documents'), docsBefore + 1, 'only the 10 MB file was added')
  t.equal((await as(A, 'DELETE', `/documents/${exact.json().id}`)).statusCode, 204)
  const docB = await as(B, 'POST', '/documents', { fileName: '外校.pdf', content: 'aGk=' })
  t.equal(docB.statusCode, 201)

  // ── 领导小组 ──
  const leader = await as(A, 'POST', '/leadership/members', { name: '王校长', post: '校长', groupRole: 'leader', since: '2026-09-01' })
  t.equal(leader.statusCode, 201, leader.body)
  const deputy = await as(A, 'POST', '/leadership/members', { userId: psych.id, post: '心理教师', groupRole: 'deputy', since: '2026-09-01' })
  t.equal(deputy.statusCode, 201, deputy.body)
  t.equal(deputy.json().userId, psych.id)
  t.equal((await as(A, 'POST', '/leadership/members', { post: '德育主任', groupRole: 'member', since: '2026-09-01' })).statusCode, 400, 'an account or a name')
  const foreign = await as(A, 'POST', '/leadership/members', { userId: adminB.id, post: '校长', groupRole: 'member', since: '2026-09-01' })
  t.equal(foreign.statusCode, 404, 'an account of another school is not found')
  t.same(foreign.json().details, { fields: ['userId'] })
  const ended = await as(A, 'PATCH', `/leadership/members/${leader.json().id}`, { until: '2027-01-31' })
  t.equal(ended.statusCode, 200)
  t.equal(ended.json().until, '2027-01-31', 'a member leaves by an end date')
  t.equal((await as(A, 'PATCH', `/leadership/members/${leader.json().id}`, { until: '2026-08-01' })).statusCode, 400, 'not before joining')
  t.equal((await as(B, 'PATCH', `/leadership/members/${leader.json().id}`, { post: '书记' })).statusCode, 404, 'another school: 404')
  t.equal((await as(P, 'POST', '/leadership/members', { name: '某', post: '某', groupRole: 'member', since: '2026-09-01' })).statusCode, 403, 'psych reads only')
  const members = await as(P, 'GET', '/leadership/members')
  t.equal(members.statusCode, 200)
  t.same(members.json().items.map((m: { id: string }) => m.id).sort(), [leader.json().id, deputy.json().id].sort(), 'psych reads both members')
  t.equal((await as(H, 'GET', '/leadership/members')).statusCode, 403)
  t.equal((await as(D, 'GET', '/leadership/members')).statusCode, 403, 'the district sees no member')
  t.equal((await as(D, 'PATCH', `/leadership/members/${leader.json().id}`, { post: '书记' })).statusCode, 404)

  const meeting = await as(A, 'POST', '/leadership/meetings', { meetingDate: '2026-09-10', topic: '部署本学年心理健康工作', attendees: 7, minutesDocumentId: doc.id })
  t.equal(meeting.statusCode, 201, meeting.body)
  t.equal(meeting.json().minutesDocumentId, doc.id)
  const otherDoc = await as(A, 'POST', '/leadership/meetings', { meetingDate: '2026-09-11', topic: '外校纪要', minutesDocumentId: docB.json().id })
  t.equal(otherDoc.statusCode, 404, 'minutes of another school are not found')
  t.same(otherDoc.json().details, { fields: ['minutesDocumentId'] })
  t.equal((await as(A, 'PATCH', `/leadership/meetings/${meeting.json().id}`, { attendees: 8 })).json().attendees, 8)
  t.equal((await as(A, 'DELETE', `/documents/${doc.id}`)).statusCode, 409, 'a document named by a meeting is not deleted')
  const meetings = await as(P, 'GET', '/leadership/meetings?from=2026-09-01&to=2026-09-30')
  t.same(meetings.json().items.map((m: { id: string }) => m.id), [meeting.json().id])

  // ── 工作方案与经费 ──
  const plan = await as(A, 'PUT', '/yearly-plans/2026-2027', { title: '2026-2027学年心理健康教育工作方案', adoptedOn: '2026-09-05', planDocumentId: doc.id, budgetYuan: 12000.5 })
  t.equal(plan.statusCode, 200, plan.body)
  t.equal(plan.json().budgetYuan, 12000.5)
  t.equal(plan.json().schoolYear, '2026-2027')
  const again = await as(A, 'PUT', '/yearly-plans/2026-2027', { title: '修订版', budgetYuan: 15000 })
  t.equal(again.json().id, plan.json().id, 'one row per school year')
  t.equal(again.json().budgetYuan, 15000)
  t.equal(again.json().planDocumentId, null, 'PUT replaces every field')
  t.equal((await as(A, 'PUT', '/yearly-plans/2026-2028', { title: 'x' })).statusCode, 400, 'two consecutive years')
  t.equal((await as(P, 'PUT', '/yearly-plans/2026-2027', { title: 'x' })).statusCode, 403)
  const plans = await as(P, 'GET', '/yearly-plans')
  t.same(plans.json().items.map((p: { budgetYuan: number }) => p.budgetYuan), [15000], 'psych reads the budget')
  t.equal((await as(B, 'GET', '/yearly-plans')).json().total, 0, 'another school sees none of it')

  // ── 教师培训 ──
  const own = await as(H, 'POST', '/trainings', { course: '班主任心理健康教育能力提升', hours: 8, completedOn: '2026-10-12' })
  t.equal(own.statusCode, 201, own.body)
  t.equal(own.json().userId, homeroom.id, 'naming nobody records the caller’s own')
  t.equal(own.json().hours, 8)
  const trainingsBefore = await countOf('staff_trainings')
  t.equal((await as(H, 'POST', '/trainings', { userId: psych.id, course: '替别人登记', hours: 2, completedOn: '2026-10-12' })).statusCode, 404, 'a homeroom teacher records only their own')
  t.equal((await as(H, 'POST', '/trainings', { name: '某老师', course: '替别人登记', hours: 2, completedOn: '2026-10-12' })).statusCode, 404)
  t.equal(await countOf('staff_trainings'), trainingsBefore, 'nothing kept')
  const byPsych = await as(P, 'POST', '/trainings', { userId: homeroom.id, course: '心理危机识别', provider: '区教师发展中心', hours: 4.5, completedOn: '2026-11-02', certificate: 'C-1' })
  t.equal(byPsych.statusCode, 201, 'a psychology teacher adds anyone’s training')
  t.equal(byPsych.json().hours, 4.5)
  t.equal((await as(P, 'PATCH', `/trainings/${byPsych.json().id}`, { hours: 5 })).statusCode, 404, 'psych adds but does not edit')
  const fixed = await as(A, 'PATCH', `/trainings/${byPsych.json().id}`, { hours: 5 })
  t.equal(fixed.statusCode, 200)
  t.equal(fixed.json().hours, 5)
  const adminOwn = await as(A, 'POST', '/trainings', { name: '外聘教师', course: '沙盘游戏', hours: 12, completedOn: '2026-11-20' })
  t.equal(adminOwn.statusCode, 201)
  const hList = await as(H, 'GET', '/trainings')
  t.same(hList.json().items.map((i: { userId: string }) => i.userId), [homeroom.id, homeroom.id], 'a homeroom teacher lists only their own')
  t.notOk(hList.json().items.some((i: { id: string }) => i.id === adminOwn.json().id))
  t.equal((await as(H, 'PATCH', `/trainings/${own.json().id}`, { hours: 9 })).statusCode, 404)
  t.equal((await as(D, 'GET', '/trainings')).statusCode, 403, 'the district lists nothing')
  t.equal((await as(H, 'GET', '/trainings/import-template.xlsx')).statusCode, 403)

  const tpl = await injectAs(app, P, { method: 'GET', url: '/api/v1/inspection/trainings/import-template.xlsx' })
  t.equal(tpl.statusCode, 200)
  t.equal(tpl.headers['content-type'], XLSX)
  const tplBook = new ExcelJS.Workbook()
  await tplBook.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer)
  const tplHeader = (tplBook.worksheets[0]!.getRow(1).values as unknown[]).slice(1)
  t.same(tplHeader, ['姓名', '账号', '培训名称', '主办单位', '学时', '完成日期', '证书编号'], 'the template has the import’s headers')
  const asIs = await injectAs(app, P, { method: 'POST', url: '/api/v1/inspection/trainings/import', headers: { 'content-type': XLSX }, payload: tpl.rawPayload })
  t.equal(asIs.statusCode, 200, 'the template imports as downloaded')
  t.same(asIs.json(), { created: 1, skipped: 0 })

  const psychName = (await db.select({ n: users.displayName }).from(users).where(eq(users.id, psych.id)))[0]!.n
  const header = ['姓名', '账号', '培训名称', '主办单位', '学时', '完成日期', '证书编号']
  const before = await countOf('staff_trainings')
  const badFile = await xlsxOf([
    header,
    [psychName, '', '团体辅导技术', '市心理协会', 6, '2026-12-01', ''],
    ['赵老师', '', '心理健康教育', '', '', '2026-12-02', ''],
    ['钱老师', '', '心理健康教育', '', 3, '2026-13-40', ''],
    ['孙老师', 'no-such-account', '心理健康教育', '', 3, '2026-12-03', ''],
    ['李老师', '', '心理健康教育', '', 0, '2026-12-03', ''],
  ])
  const rejected = await injectAs(app, P, { method: 'POST', url: '/api/v1/inspection/trainings/import', headers: { 'content-type': XLSX }, payload: badFile })
  t.equal(rejected.statusCode, 422, rejected.body)
  t.equal(rejected.json().code, 'import_rejected')
  const errs = (rejected.json().details.errors as Array<{ row: number; field: string }>).map((e) => `${e.row}:${e.field}`)
  t.same(errs, ['3:学时', '4:完成日期', '5:账号', '6:学时'], 'each problem by row number and column')
  t.equal(await countOf('staff_trainings'), before, 'nothing imported from a file with a bad row')

  const goodRows = [
    header,
    [psychName, '', '团体辅导技术', '市心理协会', 6, new Date(Date.UTC(2026, 11, 1)), 'T-9'],
    ['外校专家', '', '团体辅导技术', '', 2.5, '2026/12/2', ''],
    ['', homeroom.username, '班级心理活动设计', '', 3, '2026-12-03', ''],
  ]
  const good = await injectAs(app, P, { method: 'POST', url: '/api/v1/inspection/trainings/import', headers: { 'content-type': XLSX }, payload: await xlsxOf(goodRows) })
  t.equal(good.statusCode, 200, good.body)
  t.same(good.json(), { created: goodRows.length - 1, skipped: 0 })
  const imported = await db.select().from(staffTrainings).where(eq(staffTrainings.course, '团体辅导技术'))
  t.same(imported.map((r) => r.userId ?? r.name).sort(), [psych.id, '外校专家'].sort(), 'a known name is matched to the account, a stranger kept by name')
  t.equal((await db.select().from(staffTrainings).where(eq(staffTrainings.course, '班级心理活动设计')))[0]!.userId, homeroom.id, 'an account column wins')
  const twice = await injectAs(app, P, { method: 'POST', url: '/api/v1/inspection/trainings/import', headers: { 'content-type': XLSX }, payload: await xlsxOf(goodRows) })
  t.same(twice.json(), { created: 0, skipped: goodRows.length - 1 }, 'importing the same file again changes nothing')

  const exp = await injectAs(app, A, { method: 'GET', url: '/api/v1/inspection/trainings/export.xlsx' })
  t.equal(exp.statusCode, 200)
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(exp.rawPayload as unknown as ArrayBuffer)
  const ws = book.worksheets[0]!
  t.same((ws.getRow(1).values as unknown[]).slice(1), header, 'the export has the import’s columns')
  t.equal(ws.actualRowCount - 1, await countOf('staff_trainings'), 'one row per training of the school')
  const reimport = await injectAs(app, A, { method: 'POST', url: '/api/v1/inspection/trainings/import', headers: { 'content-type': XLSX }, payload: exp.rawPayload })
  t.same(reimport.json(), { created: 0, skipped: ws.actualRowCount - 1 }, 'the export imported back changes nothing')

  // ── 应急预案 ──
  t.same((await as(P, 'GET', '/emergency-plans/current')).json(), { current: null }, 'no plan yet')
  const v1 = await as(A, 'POST', '/emergency-plans', { title: '心理危机干预应急预案', adoptedOn: '2026-09-01', documentId: doc.id })
  const v2 = await as(A, 'POST', '/emergency-plans', { title: '心理危机干预应急预案（修订）', adoptedOn: '2026-11-01', changeNote: '增加夜间联络人' })
  t.same([v1.statusCode, v2.statusCode], [201, 201])
  t.same([v1.json().version, v2.json().version], [1, 2], 'versions count up')
  t.equal((await as(A, 'POST', '/emergency-plans', { title: 'x', adoptedOn: '2026-11-02', version: 9 })).statusCode, 400, 'the version is not the caller’s to set')
  const current = await as(P, 'GET', '/emergency-plans/current')
  t.equal(current.json().current.id, v2.json().id, 'the highest version is in force')
  t.equal((await as(P, 'POST', '/emergency-plans', { title: 'x', adoptedOn: '2026-11-02' })).statusCode, 403)
  t.equal((await as(H, 'GET', '/emergency-plans')).statusCode, 403)
  t.equal((await as(B, 'GET', '/emergency-plans/current')).json().current, null, 'another school sees none')

  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    as(A, 'POST', '/emergency-plans', { title: `并发版本${i}`, adoptedOn: '2026-11-03' })))
  const statuses = burst.map((r) => r.statusCode)
  t.ok(statuses.every((s) => s === 201 || s === 409), `only 201 or 409: ${statuses.join(',')}`)
  const versions = (await db.select({ v: emergencyPlans.version }).from(emergencyPlans).where(eq(emergencyPlans.schoolId, school.schoolId))).map((r) => r.v)
  t.equal(new Set(versions).size, versions.length, 'no version twice')
  t.equal(versions.length, 2 + statuses.filter((s) => s === 201).length, 'every 201 kept a version, no 409 did')
  t.same([...versions].sort((a, b) => a - b), Array.from({ length: versions.length }, (_, i) => i + 1), 'versions without gaps')
  for (const r of burst.filter((x) => x.statusCode === 409)) t.equal(r.json().code, 'duplicate')

  // Another adoption holds the next number uncommitted while the request reads the highest: on the
  // server the request's INSERT waits on the unique key and loses (409); the embedded database
  // runs one transaction at a time, so there the request waits and takes the number after.
  const top = Math.max(...versions)
  let release!: () => void
  const held = new Promise<void>((r) => { release = r })
  let inserted!: () => void
  const holding = new Promise<void>((r) => { inserted = r })
  const other = db.transaction(async (tx) => {
    await tx.insert(emergencyPlans).values({ schoolId: school.schoolId, version: top + 1, title: '另一人发布的版本', adoptedOn: '2026-11-04' })
    inserted()
    await held
  })
  await holding
  const racing = as(A, 'POST', '/emergency-plans', { title: '同时发布', adoptedOn: '2026-11-04' })
  setTimeout(release, 400)
  const [res] = await Promise.all([racing, other])
  if (database.kind === 'server') {
    t.equal(res.statusCode, 409, 'the second adoption of one number is refused')
    t.equal(res.json().code, 'duplicate')
    t.match(res.json().message, /应急预案/, 'the message says what exists')
  } else {
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.json().version, top + 2, 'run after the other, it takes the next number')
  }
  const finalVersions = (await db.select({ v: emergencyPlans.version }).from(emergencyPlans).where(eq(emergencyPlans.schoolId, school.schoolId))).map((r) => r.v)
  t.equal(new Set(finalVersions).size, finalVersions.length, 'still no version twice')

  // ── 演练 ──
  const drill = await as(P, 'POST', '/drills', { drillDate: '2026-11-15', reach: 'grade', scenario: '七年级心理危机应急疏散演练', participants: 320 })
  t.equal(drill.statusCode, 201, 'a psychology teacher adds a drill')
  t.equal(drill.json().reach, 'grade')
  t.equal((await as(P, 'PATCH', `/drills/${drill.json().id}`, { participants: 300 })).statusCode, 404, 'psych adds but does not edit')
  const edited = await as(A, 'PATCH', `/drills/${drill.json().id}`, { review: '疏散用时 4 分钟', participants: 318 })
  t.equal(edited.statusCode, 200)
  t.equal(edited.json().participants, 318)
  t.equal((await as(A, 'POST', '/drills', { drillDate: '2026-11-15', reach: 'everyone', scenario: 'x' })).statusCode, 400, 'reach is one of school, grade, class')
  t.same((await as(P, 'GET', '/drills')).json().items.map((d: { id: string }) => d.id), [drill.json().id])
  t.equal((await as(H, 'POST', '/drills', { drillDate: '2026-11-15', scenario: 'x' })).statusCode, 403)
  t.equal((await as(B, 'DELETE', `/drills/${drill.json().id}`)).statusCode, 404, 'another school cannot delete it')
  t.equal((await as(A, 'DELETE', `/drills/${drill.json().id}`)).statusCode, 204)
  t.equal((await as(A, 'GET', '/drills')).json().total, 0)

  // Nothing of school A's records reached school B's counts.
  t.equal(await countOf('staff_trainings', otherSchool.schoolId), 0)
  t.equal((await db.select().from(inspectionDocuments).where(eq(inspectionDocuments.schoolId, otherSchool.schoolId))).length, 1, 'only its own upload')
})
