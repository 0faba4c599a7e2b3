import t from '../helpers/tap.js'
import { and, eq } from 'drizzle-orm'
import { auditLog, rectificationItems } from '../../db/schema/index.js'
import { addDays, schoolDay } from '../../src/lib/school-day.js'
import { checklistById } from '../../src/modules/inspection/checklists/index.js'
import { sharedTestApp, createSchool, createUser, injectAs, login } from '../helpers/app.js'
import type { FastifyInstance } from 'fastify'

/**
 * 督导整改: a visit with its problems, progress notes, 回头看, the checks that answer 422, who
 * reaches what, and overdue reckoned in the school's calendar.
 *
 * The school's zone is chosen so that its calendar day differs from UTC's right now (a day
 * ahead from 10:00 UTC, a day behind before), so a deadline judged by the server's UTC day
 * would come out the other way.
 */
const utcHour = new Date().getUTCHours()
const TZ = utcHour >= 10 ? 'Pacific/Kiritimati' : 'Etc/GMT+12'

type Who = { token: string; id: string }
const as = (app: FastifyInstance, who: Who, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  injectAs(app, who.token, { method, url, ...(payload !== undefined ? { payload } : {}) })

t.test('the 整改 loop: visit with two problems, notes, 回头看, 422s, scope, overdue in the school\'s zone', async (t) => {
  const { app, database } = await sharedTestApp({ TZ_SCHOOL: TZ })
  const school = await createSchool(database)
  const other = await createSchool(database, school.districtId)
  const mk = async (s: typeof school, role: Parameters<typeof createUser>[2][number]['role'], classId?: string) => {
    const u = await createUser(database, s, [{ role, ...(classId ? { classId } : {}) }])
    return { id: u.id, token: (await login(app, u.username)).accessToken }
  }
  const admin = await mk(school, 'school_admin')
  const psych = await mk(school, 'psych_teacher')
  const homeroom = await mk(school, 'homeroom_teacher', school.classIds[0])
  const district = await mk(school, 'district_staff')
  const otherAdmin = await mk(other, 'school_admin')

  const now = new Date()
  const today = schoolDay(now, TZ)
  const utcDay = now.toISOString().slice(0, 10)
  t.not(today, utcDay, 'the school\'s day differs from UTC\'s for this test')
  const visitedOn = addDays(today, -30)
  // The earlier of the two days: overdue by the school's calendar exactly when not by UTC's.
  const edge = utcDay < today ? utcDay : today
  const yesterday = addDays(today, -1)

  // A visit with two problems, in one request.
  let res = await as(app, admin, 'POST', '/api/v1/inspection-visits', {
    visitedOn, inspectorName: '王督学', inspectorRole: '区责任督学', noticeRef: '鄂督〔2026〕12号', summary: '查看资料、查看记录、查看档案',
    items: [
      { itemCode: '2', problem: '七年级心理健康教育课不足每两周1节', measure: '按课表补齐课时', responsibleUserId: psych.id, deadline: edge },
      { itemCode: '10', problem: '应急预案未演练', measure: '本学期组织一次全校演练', responsibleName: '李主任', deadline: yesterday },
    ],
  })
  t.equal(res.statusCode, 201, res.body)
  const visit = res.json()
  t.equal(visit.items.length, 2)
  const [lessons, drill] = [visit.items.find((i: { itemCode: string }) => i.itemCode === '2'), visit.items.find((i: { itemCode: string }) => i.itemCode === '10')]
  t.match(lessons, { status: 'open', visitId: visit.id, responsibleUserId: psych.id, deadline: edge })
  t.equal(typeof lessons.responsibleDisplayName, 'string', 'the responsible user is shown by name')
  t.match(drill, { status: 'open', responsibleName: '李主任', overdue: true, overdueDays: 1 })
  const stored = await database.db.select().from(rectificationItems).where(eq(rectificationItems.visitId, visit.id))
  t.equal(stored.length, 2, 'both problems stored with the visit')
  const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.resource, 'rectification_items'), eq(auditLog.action, 'C')))
  t.same(audits.flatMap((a) => a.recordIds).sort(), stored.map((s) => s.id).sort(), 'one audit event names both problems')

  // Overdue by the school's calendar, not the server's UTC day.
  const naive = edge < utcDay
  const wanted = edge < today
  t.not(wanted, naive, 'the two calendars disagree on the edge deadline')
  res = await as(app, admin, 'GET', `/api/v1/rectification-items/${lessons.id}`)
  t.equal(res.json().overdue, wanted)
  t.equal(res.json().overdueDays, wanted ? 1 : 0)
  const overdueList = (await as(app, admin, 'GET', '/api/v1/rectification-items?overdue=true')).json()
  t.same(overdueList.items.map((i: { id: string }) => i.id).sort(), [drill.id, ...(wanted ? [lessons.id] : [])].sort())
  const visits = (await as(app, psych, 'GET', '/api/v1/inspection-visits')).json()
  t.match(visits.items[0], { id: visit.id, problems: { total: 2, open: 2, overdue: wanted ? 2 : 1 } })

  // The checklist's items, by their names, for the form.
  const checklist = (await as(app, psych, 'GET', '/api/v1/inspection-checklist')).json()
  t.same(checklist.items.map((i: { code: string }) => i.code), checklistById()!.items.map((i) => i.code))
  t.equal(checklist.items[0].point, checklistById()!.items[0]!.point)
  t.equal((await as(app, homeroom, 'GET', '/api/v1/inspection-checklist')).statusCode, 403)

  // 422s naming the field.
  const base = { visitedOn, inspectorName: '王督学' }
  const problem = { itemCode: '3', problem: '主题班会记录不全', responsibleName: '张老师', deadline: today }
  const refused = async (payload: object, field: string, code: string, url = '/api/v1/inspection-visits', who = admin) => {
    const r = await as(app, who, 'POST', url, payload)
    t.equal(r.statusCode, 422, `${code}: 422`)
    t.equal(r.json().code, code)
    t.match(r.json().details, { fields: [field] }, `${code} names ${field}`)
  }
  await refused({ ...base, items: [problem, { ...problem, itemCode: '14' }] }, 'itemCode', 'checklist_item_unknown')
  await refused({ ...base, items: [{ ...problem, deadline: addDays(visitedOn, -1) }] }, 'deadline', 'rectification_deadline_before_visit')
  await refused({ ...base, items: [{ itemCode: '3', problem: 'x', deadline: today }] }, 'responsibleName', 'rectification_responsible_required')
  await refused({ ...base, items: [{ ...problem, responsibleName: undefined, responsibleUserId: otherAdmin.id }] }, 'responsibleUserId', 'responsible_user_unknown')
  await refused({ checkedOn: today, rectified: false }, 'reason', 'rectification_reason_required', `/api/v1/rectification-items/${drill.id}/checks`)
  res = await as(app, admin, 'POST', `/api/v1/rectification-items/${drill.id}/checks`, { checkedOn: today, rectified: false })
  t.match(res.json().message, /原因/, 'the message names the reason in words')
  t.equal((await database.db.select().from(rectificationItems).where(eq(rectificationItems.visitId, visit.id))).length, 2, 'nothing written by the refused visits')
  t.equal((await as(app, admin, 'POST', '/api/v1/inspection-visits', { ...base, items: [{ ...problem, status: 'rectified' }] })).statusCode, 400, 'the status is not the caller\'s to set')

  // Editing the plan: measure, person responsible, deadline; not the problem as the notice wrote it.
  res = await as(app, admin, 'PATCH', `/api/v1/rectification-items/${drill.id}`, { measure: '十月底前完成疏散演练', responsibleName: '赵主任' })
  t.match(res.json(), { measure: '十月底前完成疏散演练', responsibleName: '赵主任', overdue: true })
  t.equal((await as(app, admin, 'PATCH', `/api/v1/rectification-items/${drill.id}`, { problem: '改写' })).statusCode, 400)
  t.equal((await as(app, admin, 'PATCH', `/api/v1/rectification-items/${drill.id}`, { deadline: addDays(visitedOn, -2) })).json().code, 'rectification_deadline_before_visit')

  // Progress notes: the admin and the psychology teacher.
  res = await as(app, psych, 'POST', `/api/v1/rectification-items/${lessons.id}/notes`, { body: '已调整七年级课表，每两周一节' })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { itemId: lessons.id, notedOn: today, authorId: psych.id })
  res = await as(app, admin, 'POST', `/api/v1/rectification-items/${lessons.id}/notes`, { notedOn: yesterday, body: '教务处已下发通知' })
  t.equal(res.statusCode, 201)
  await refused({ body: '附件', documentId: visit.id }, 'documentId', 'evidence_document_unknown', `/api/v1/rectification-items/${lessons.id}/notes`, psych)

  // 回头看: not rectified keeps it open; rectified closes it; a closed problem takes no more checks.
  res = await as(app, admin, 'POST', `/api/v1/rectification-items/${lessons.id}/checks`, { checkedOn: yesterday, rectified: false, reason: '八年级尚未落实' })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { check: { rectified: false, reason: '八年级尚未落实' }, item: { status: 'open', rectifiedOn: null } })
  res = await as(app, admin, 'POST', `/api/v1/rectification-items/${lessons.id}/checks`, { checkedOn: today, rectified: true })
  t.equal(res.statusCode, 201)
  t.match(res.json().item, { status: 'rectified', rectifiedOn: today, overdue: false, overdueDays: 0 })
  t.equal((await as(app, admin, 'POST', `/api/v1/rectification-items/${lessons.id}/checks`, { checkedOn: today, rectified: true })).json().code, 'rectification_closed')
  res = await as(app, psych, 'GET', `/api/v1/rectification-items/${lessons.id}`)
  t.equal(res.statusCode, 200)
  t.same(res.json().notes.map((n: { body: string }) => n.body), ['教务处已下发通知', '已调整七年级课表，每两周一节'], 'notes by date')
  t.same(res.json().checks.map((c: { rectified: boolean }) => c.rectified), [false, true])
  t.equal((await as(app, admin, 'GET', `/api/v1/rectification-items/${drill.id}`)).json().status, 'open', 'the other problem stays open')
  t.same((await as(app, admin, 'GET', '/api/v1/rectification-items?status=rectified')).json().items.map((i: { id: string }) => i.id), [lessons.id])

  // Who reaches what: the psychology teacher reads and adds notes only; nobody else sees a row.
  t.equal((await as(app, psych, 'POST', `/api/v1/rectification-items/${drill.id}/checks`, { checkedOn: today, rectified: true })).statusCode, 404)
  t.equal((await as(app, psych, 'PATCH', `/api/v1/rectification-items/${drill.id}`, { measure: 'x' })).statusCode, 404)
  t.equal((await as(app, psych, 'POST', '/api/v1/inspection-visits', base)).statusCode, 403)
  for (const who of [homeroom, district, otherAdmin]) {
    t.equal((await as(app, who, 'GET', `/api/v1/inspection-visits/${visit.id}`)).statusCode, 404)
    t.equal((await as(app, who, 'GET', `/api/v1/rectification-items/${drill.id}`)).statusCode, 404)
    t.equal((await as(app, who, 'POST', `/api/v1/rectification-items/${drill.id}/notes`, { body: '越权' })).statusCode, 404)
  }
  t.equal((await as(app, homeroom, 'GET', '/api/v1/rectification-items')).statusCode, 403)
  t.equal((await as(app, district, 'GET', '/api/v1/inspection-visits')).statusCode, 403)
  t.equal((await as(app, otherAdmin, 'GET', '/api/v1/rectification-items')).json().total, 0, 'another school\'s admin lists none of them')
  t.equal((await as(app, otherAdmin, 'PATCH', `/api/v1/rectification-items/${drill.id}`, { measure: 'x' })).statusCode, 404)
})
