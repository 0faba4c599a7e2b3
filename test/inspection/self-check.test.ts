import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import type { LightMyRequestResponse } from 'fastify'
import { inspectionVisits, rectificationItems } from '../../db/schema/index.js'
import { sharedTestApp, createSchool, createUser, injectAs, login, type UserFixture } from '../helpers/app.js'
import { buildSelfCheckWorld, TERM } from './self-check-world.js'

/**
 * 学校自查: each figure of the report checked against a count made here from the records the
 * world inserted; missing records make an item 'missing' and say why; the school's own
 * parts saved and shown; the exports; who may do what; and no answer carries a pupil.
 */

interface Item { code: string; status: string; text: string; flags: string[]; figures: Record<string, number>; remark: string }

const inTerm = (d: string) => d.slice(0, 10) >= TERM.from && d.slice(0, 10) <= TERM.to
/** A UTC instant's day in Beijing (the fixtures use 02:00Z, well inside the day). */
const bjDay = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 10)
const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0)

async function xlsxText(body: Buffer): Promise<{ text: string; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(body as unknown as ArrayBuffer)
  const parts: string[] = []
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => { parts.push(String(cell.text)) })))
  return { text: parts.join('\n'), wb }
}

t.test('the self-check report: figures from the records, the school\'s parts, exports, access, no pupil', async (t) => {
  const { app, database } = await sharedTestApp()
  const w = await buildSelfCheckWorld(database)
  const token = async (u: UserFixture) => (await login(app, u.username)).accessToken
  const admin = await token(w.admin)
  const psych = await token(w.psych)
  const homeroom = await token(w.homerooms[0]!)
  const district = await token(await createUser(database, w.school, [{ role: 'district_staff' }]))
  const bodies: Array<{ what: string; text: string }> = []
  const keep = (what: string, res: LightMyRequestResponse, text = res.body) => { bodies.push({ what, text }); return res }
  const get = async (tok: string, url: string) => keep(url, await injectAs(app, tok, { method: 'GET', url }))
  const q = `termId=${w.termId}`

  const res = await get(admin, `/api/v1/self-check?${q}`)
  t.equal(res.statusCode, 200, res.body)
  const report = res.json() as { items: Item[]; period: { from: string; to: string; label: string }; counts: Record<string, number>; checklist: { source: string } }
  t.same([report.period.from, report.period.to], [TERM.from, TERM.to])
  t.equal(report.items.length, 13)
  t.match(report.checklist.source, /鄂州/)
  const item = (code: string) => report.items.find((i) => i.code === code)!
  const fig = (code: string) => item(code).figures

  // 1 组织保障
  const active = w.leadership.filter((l) => l.since <= TERM.to && (l.until === null || l.until >= TERM.from))
  t.same([fig('1').leaders, fig('1').deputies, fig('1').members], ['leader', 'deputy', 'member'].map((r) => count(active, (l) => l.role === r)))
  t.equal(fig('1').meetings, count(w.meetings, inTerm))
  t.equal(fig('1').budgetYuan, w.budgetYuan)
  t.equal(item('1').status, 'flagged', 'one meeting in the term is below two a term')
  t.match(item('1').flags.join(), /领导小组会议：本期 1 次/)

  // 2 课程
  for (const kind of ['life_safety', 'mental_health', 'class_meeting', 'sunshine']) {
    const of = w.lessons.filter((l) => l.kind === kind && inTerm(l.heldOn))
    t.equal(fig('2')[`periods.${kind}`], sum(of, (l) => l.periods), `${kind}: periods`)
    t.equal(fig('2')[`classesWith.${kind}`], new Set(of.map((l) => l.classId)).size, `${kind}: classes with a record`)
  }
  t.equal(fig('2').classes, w.classes.length)
  // 每月不少于2课时 in the term's whole months (none of them half holiday): Sep–Dec 2025.
  const months = ['2025-09', '2025-10', '2025-11', '2025-12']
  const belowMonthly = sum(w.classes, (c) => count(months, (m) =>
    sum(w.lessons.filter((l) => l.classId === c.id && l.kind === 'mental_health' && l.heldOn.startsWith(m)), (l) => l.periods) < 2))
  t.equal(fig('2')['below.mental_health.month'], belowMonthly)
  t.equal(item('2').status, 'flagged')
  t.ok(item('2').flags.some((f) => f.startsWith('心理健康教育课：七年级(2)班') && f.includes('低于每月不少于2课时')), 'a class below the monthly rule is named with the rule')
  t.notOk(item('2').flags.some((f) => f.includes('七年级(1)班')), 'a class that kept every rule is not flagged')

  // 3 活动
  t.equal(fig('3').activities, count(w.activities, (a) => inTerm(a.startsOn)))
  t.equal(fig('3')['count.opening_ceremony'], count(w.activities, (a) => a.kind === 'opening_ceremony' && inTerm(a.startsOn)))
  t.equal(fig('3').participants, sum(w.activities.filter((a) => inTerm(a.startsOn)), (a) => a.participants))
  t.equal(item('3').status, 'met', 'no 5·25 is due in an autumn term')

  // 4 测评建档
  const enrolledIn = w.pupils.filter((p) => p.status === 'enrolled' && w.campaignLevels.includes(p.level))
  const screened = count(enrolledIn, (p) => w.screenedIds.includes(p.id))
  t.same([fig('4').enrolled, fig('4').screened], [enrolledIn.length, screened])
  t.same([fig('4').consentGiven, fig('4').consentRefused], [w.consents.given, w.consents.refused])
  t.match(item('4').text, `在籍 ${enrolledIn.length}，已测 ${screened}（${(Math.round(1000 * screened / enrolledIn.length) / 10).toFixed(1)}%）`)
  t.match(item('4').text, '四年级、七年级', 'the screened grades are named')
  t.equal(item('4').status, screened / enrolledIn.length < 0.95 ? 'flagged' : 'met')

  // 5 三个必谈 + 师生结对
  const duties = w.duties.filter((d) => inTerm(d.dueDate))
  const st = (s: string) => count(duties, (d) => d.status === s)
  t.same([fig('5').talksDue, fig('5').talksOnTime, fig('5').talksLate, fig('5').talksMissed], [duties.length, st('done'), st('done_late'), st('overdue')])
  t.match(item('5').text, `本期应谈 ${duties.length} 人次，按时 ${st('done')}（${(Math.round(1000 * st('done') / duties.length) / 10).toFixed(1)}%），逾期完成 ${st('done_late')}，未谈 ${st('overdue')}`)
  const missedBy = new Map<string, number>()
  for (const d of duties) if (d.status === 'overdue') missedBy.set(d.classId, (missedBy.get(d.classId) ?? 0) + 1)
  t.match(item('5').flags.join(), `三个必谈未谈：${missedBy.size} 个班`)
  for (const [classId, n] of missedBy) t.match(item('5').flags.join(), `${w.classes.find((c) => c.id === classId)!.name} ${n} 人次`, 'classes with missed talks are named with their count')
  const single = w.pairings.filter((p) => p.teamId === null)
  t.same([fig('5').pairings, fig('5').pairedStudents, fig('5').mentors], [single.length, new Set(single.map((p) => p.studentId)).size, new Set(single.map((p) => p.mentorId)).size])
  t.equal(fig('5').mentorContacts, w.mentorContacts)
  t.same([fig('5').careListed, fig('5').careListedPaired], [w.careListed.length, count(w.careListed, (id) => w.pairings.some((p) => p.studentId === id))])

  // 6 多帮一
  for (const kind of ['special_students', 'special_parents']) {
    t.equal(fig('6')[`groups.${kind}`], count(w.groups, (g) => g.kind === kind && inTerm(g.sessionDate)), `groups ${kind}`)
  }
  t.same([fig('6').teams, fig('6').teamMembers], [new Set(w.pairings.filter((p) => p.teamId).map((p) => p.teamId)).size, count(w.pairings, (p) => p.teamId !== null)])
  t.equal(item('6').status, 'flagged', 'no group for the parents')

  // 7 家校协同
  const contacts = w.contacts.filter((c) => inTerm(c.contactDate))
  t.same([fig('7').parentContacts, fig('7').contactedStudents, fig('7')['contacts.phone']],
    [contacts.length, new Set(contacts.map((c) => c.studentId)).size, count(contacts, (c) => c.channel === 'phone')])
  t.equal(fig('7')['activities.parent_meeting'], count(w.homeSchool, (h) => h.kind === 'parent_meeting' && inTerm(h.activityDate)))
  t.equal(item('7').status, 'met')

  // 8 队伍建设
  t.same([fig('8').fullTime, fig('8').partTime, fig('8').certified, fig('8').enrolled], [
    count(w.staff, (s) => s.employment === 'full_time'), count(w.staff, (s) => s.employment === 'part_time'),
    count(w.staff, (s) => s.qualifications.length > 0), count(w.pupils, (p) => p.status === 'enrolled'),
  ])

  // 9 培训
  const trainings = w.trainings.filter((x) => inTerm(x.completedOn))
  t.same([fig('9').courses, fig('9').hours], [trainings.length, sum(trainings, (x) => x.hours)])
  const trainedHomeroom = count(w.homerooms, (h) => trainings.some((x) => x.userId === h.id))
  t.same([fig('9').homeroomTeachers, fig('9').homeroomTrained], [w.homerooms.length, trainedHomeroom])
  t.match(item('9').flags.join(), '班主任培训')

  // 10 危机干预
  t.equal(fig('10').planVersion, 1, 'the version adopted after the term is not the one in force')
  t.equal(fig('10').drills, count(w.drills, (d) => inTerm(d.drillDate)))
  const crises = w.crises.filter((c) => inTerm(bjDay(c.opened)))
  t.same([fig('10').crisisEvents, fig('10').crisisAssessed, fig('10').crisisResolved], [crises.length, count(crises, (c) => c.assessed), count(crises, (c) => c.resolved)])
  t.match(item('10').flags.join(), `${count(crises, (c) => !c.assessed)} 起没有安全评估记录`)

  // 11 及时转介 (real today is after the term: the sent one is past its follow-up date)
  t.same([fig('11').referralsOpened, fig('11').referralsClosed, fig('11').referralsOpen, fig('11').referralsOverdue], [
    count(w.referrals, (r) => inTerm(bjDay(r.proposed))), count(w.referrals, (r) => r.closed !== null && inTerm(bjDay(r.closed))),
    count(w.referrals, (r) => r.state !== 'closed'), count(w.referrals, (r) => r.state === 'sent' && r.followUp < new Date().toISOString().slice(0, 10)),
  ])

  // 12–13: outside the system, said in their rows.
  for (const code of ['12', '13']) {
    t.equal(item(code).status, 'outside')
    t.match(item(code).text, '不在本系统记录范围')
  }
  t.equal(report.counts.outside, 2)

  // A school with no records: every item that needs evidence says which record is missing.
  const empty = await createSchool(database)
  const emptyAdmin = await token(await createUser(database, empty, [{ role: 'school_admin' }]))
  const bare = (await get(emptyAdmin, '/api/v1/self-check?schoolYear=2025-2026')).json() as { items: Item[]; period: { from: string; to: string } }
  t.same(bare.period, { ...bare.period, from: '2025-09-01', to: '2026-08-31' }, 'a school year without terms runs September to August')
  for (const code of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']) {
    const it = bare.items.find((i) => i.code === code)!
    t.equal(it.status, 'missing', `item ${code} is missing`)
    t.match(it.text, /^缺少记录：.+/, `item ${code} says why`)
  }
  t.match(bare.items.find((i) => i.code === '10')!.text, '未登记心理危机干预应急预案')
  t.match(bare.items.find((i) => i.code === '4')!.text, '本期没有心理测评')
  t.equal(bare.items.find((i) => i.code === '11')!.status, 'met', 'no referral is not a shortfall')

  // The school's own parts.
  const put = (tok: string, payload: unknown, query = q) => injectAs(app, tok, { method: 'PUT', url: `/api/v1/self-check?${query}`, payload: payload as Record<string, unknown> })
  const parts = { highlights: '建立了"阳光5分钟"常态机制', problems: '家长团体辅导尚未开展\n班主任培训覆盖不足', remarks: { 6: '下学期安排两次家长团辅', 12: '见安全台账' }, inspector: '王督学', inspectedOn: '2026-01-10' }
  let saved = keep('PUT', await put(admin, parts))
  t.equal(saved.statusCode, 200, saved.body)
  t.same(saved.json().record, { ...saved.json().record, highlights: parts.highlights, problems: parts.problems, inspector: parts.inspector, inspectedOn: parts.inspectedOn, periodKind: 'term', periodKey: w.termId })
  const again = (await get(psych, `/api/v1/self-check?${q}`)).json() as { items: Item[] }
  t.equal(again.items.find((i) => i.code === '6')!.remark, parts.remarks[6], 'psychology teachers read the remarks')
  saved = await put(admin, { remarks: { 6: '', 12: '见安全台账' } })
  t.same(saved.json().record.remarks, { 12: '见安全台账' }, 'an empty remark removes it')
  t.equal(saved.json().record.highlights, parts.highlights, 'a partial PUT keeps the rest')
  t.equal((await put(admin, { remarks: { 99: 'x' } })).statusCode, 400, 'a remark for an item the checklist lacks')
  t.equal((await put(admin, { schoolId: empty.schoolId })).statusCode, 400, 'unknown fields are refused')
  t.equal((await put(admin, { inspectedOn: '2026-02-30' })).statusCode, 400)
  t.equal((await put(admin, {}, 'schoolYear=2025-2027')).statusCode, 400)
  t.equal((await injectAs(app, admin, { method: 'GET', url: '/api/v1/self-check' })).statusCode, 400, 'a period is required')

  // Who may: admin writes, psychology teacher reads, homeroom and district have nothing, another school's term is not found.
  t.equal((await put(psych, { highlights: 'x' })).statusCode, 403)
  t.equal((await get(homeroom, `/api/v1/self-check?${q}`)).statusCode, 403)
  t.equal((await get(district, `/api/v1/self-check?${q}`)).statusCode, 403)
  t.equal((await get(district, '/api/v1/self-check/export.xlsx?schoolYear=2025-2026')).statusCode, 403)
  t.equal((await get(emptyAdmin, `/api/v1/self-check?${q}`)).statusCode, 404)

  // Exports.
  const x = await injectAs(app, admin, { method: 'GET', url: `/api/v1/self-check/export.xlsx?${q}` })
  t.equal(x.statusCode, 200)
  t.match(x.headers['content-disposition'], /filename\*=UTF-8''/)
  const { text: xText, wb } = await xlsxText(x.rawPayload)
  keep('export.xlsx', x, xText)
  const ws = wb.getWorksheet('督导自查表')!
  t.same((ws.getRow(3).values as unknown[]).slice(1), ['序号', '考核要点', '主要工作任务', '督导方式', '具体落实情况', '备注'])
  t.equal(ws.pageSetup.orientation, 'landscape')
  t.equal(ws.pageSetup.paperSize, 9, 'A4')
  t.ok(ws.getCell('A1').isMerged, 'the title is merged across the columns')
  t.match(String(ws.getRow(7).getCell(5).text), `已测 ${screened}`, 'item 4 in its row')
  t.match(String(ws.getRow(15).getCell(5).text), '【不在本系统范围】')
  t.equal(String(ws.getRow(15).getCell(6).text), '见安全台账')
  t.ok(ws.getRow(7).getCell(5).alignment?.wrapText, 'wrapped text')
  t.match(xText, '责任督学：王督学')

  const html = await get(psych, `/api/v1/self-check/print.html?${q}`)
  t.equal(html.statusCode, 200)
  t.match(html.headers['content-type'], /text\/html/)
  t.equal((html.body.match(/<tr data-item=/g) ?? []).length, 13)
  t.match(html.body, /size: A4 landscape/)

  // The 自查报告 lists the open 整改 items.
  const visit = (await database.db.insert(inspectionVisits).values({ schoolId: w.school.schoolId, visitedOn: '2026-01-10', inspectorName: '王督学' }).returning())[0]!
  await database.db.insert(rectificationItems).values([
    { schoolId: w.school.schoolId, visitId: visit.id, itemCode: '6', problem: '未开展特殊群体家长团体辅导', measure: '每学期开展两次', deadline: '2026-03-31', responsibleName: '李老师' },
    { schoolId: w.school.schoolId, visitId: visit.id, itemCode: '9', problem: '班主任培训不足', deadline: '2026-02-28', status: 'rectified', rectifiedOn: '2026-02-20' },
  ])
  const rep = await get(admin, `/api/v1/self-check/report.html?${q}`)
  t.equal(rep.statusCode, 200)
  for (const h of ['一、工作实施情况', '二、存在的问题', '三、整改措施', '家长团体辅导尚未开展', '未开展特殊群体家长团体辅导', '第6项多帮一', '第12项视频监控、第13项安全巡查属校园安全工作']) t.match(rep.body, h)
  t.match(rep.body, `（视频监控：${parts.remarks[12]}）`, 'the school\'s remark follows its item')
  t.notMatch(rep.body, '班主任培训不足', 'a rectified problem is not an open 整改 item')
  t.match(rep.body, '（已逾期）', 'real today is past the deadline')

  const sv = await injectAs(app, admin, { method: 'GET', url: '/api/v1/self-check/staffing-survey.xlsx?year=2025' })
  t.equal(sv.statusCode, 200)
  const { text: svText, wb: svWb } = await xlsxText(sv.rawPayload)
  keep('survey', sv, svText)
  const svs = svWb.getWorksheet('调查表')!
  t.equal(svs.rowCount - 3, w.staff.length, 'one row per staff profile')
  const psychRow = [4, 5].map((r) => svs.getRow(r)).find((r) => String(r.getCell(3).text) === '专职')!
  t.equal(Number(psychRow.getCell(5).value), sum(w.trainings.filter((x) => x.userId === w.psych.id && x.completedOn.startsWith('2025')), (x) => x.hours), 'the year\'s training hours')
  t.equal((await get(homeroom, '/api/v1/self-check/staffing-survey.xlsx')).statusCode, 403)

  // Canary scan: no answer names a pupil, their 学号 or id, or any free text about them.
  t.ok(bodies.length >= 10)
  for (const b of bodies) {
    const leaked = w.pupils.filter((p) => b.text.includes(p.id) || b.text.includes(p.name) || b.text.includes(p.studentNo))
    t.same(leaked.map((p) => p.studentNo), [], `${b.what}: no pupil`)
    t.notMatch(b.text, 'CANARY', `${b.what}: no canary text`)
  }
})
