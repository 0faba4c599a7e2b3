import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { XLSX_TYPE } from '../../src/modules/roster/import.js'
import { GAD7_ID, openCampaign, PHQA_ID, screeningWorld, shanghaiDay, type Pupil, type ScreeningWorld } from './fixtures.js'

const PHQ = (n: number) => `PHQ${n}`
const GAD = (n: number) => `GAD${n}`
const HEADER = ['学号', '姓名', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(PHQ), ...[1, 2, 3, 4, 5, 6, 7].map(GAD), '测评日期']

function csv(rows: Array<Array<string | number>>, header = HEADER): string {
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n'
}

async function responsesOf(w: ScreeningWorld, campaignId: string) {
  return queryRows<{ student_id: string; instrument_id: string; total_score: number; band: string; suggested_risk: string; safety_flag: boolean; source: string; screened_on: string; answers: number[] }>(
    w.database.db, sql`select student_id, instrument_id, total_score, band, suggested_risk, safety_flag, source, screened_on::text, answers from screening_responses where campaign_id = ${campaignId} order by student_id, instrument_id`)
}

t.test('importing a class’s campaign file', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, homeroom, admin, call } = w
  const c = await openCampaign(w, psych, [PHQA_ID, GAD7_ID])
  const url = `/api/v1/screening/campaigns/${c.id}/import`
  const pupils: Pupil[] = []
  for (let i = 0; i < 4; i++) pupils.push(await w.pupil(w.A, w.A.classIds[0], `学生${i}号`))
  const day = shanghaiDay(-3)
  // PHQ-A totals 3 / 12 (item 9 = 1) / 1 (item 9 = 1) / 22 (item 9 = 2); GAD-7 0 / 10 / skipped / 17.
  const rows = [
    [pupils[0]!.studentNo, pupils[0]!.name, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
    [pupils[1]!.studentNo, '', 2, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, day],
    [pupils[2]!.studentNo, pupils[2]!.name, 0, 0, 0, 0, 0, 0, 0, 0, 1, '', '', '', '', '', '', '', day],
    [pupils[3]!.studentNo, pupils[3]!.name, 3, 3, 3, 3, 3, 2, 2, 1, 2, 3, 3, 3, 2, 2, 2, 2, day],
  ]
  const body = csv(rows)

  t.test('scores and bands computed on the server; item 9 opens crisis events once', async (t) => {
    const res = await call(psych, 'POST', `${url}?wait=true`, body, { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { status: 'succeeded', phase: 'done', result: { rows: 4, responses: 7, inserted: 7, alreadyOnFile: 0, crisisEventsOpened: 3 }, errors: [] })
    const got = await responsesOf(w, c.id)
    const by = (s: Pupil, inst: string) => got.find((r) => r.student_id === s.id && r.instrument_id === inst)
    t.match(by(pupils[0]!, PHQA_ID), { total_score: 3, band: 'minimal', suggested_risk: 'green', safety_flag: false, source: 'import', screened_on: day, answers: [1, 1, 1, 0, 0, 0, 0, 0, 0] })
    t.match(by(pupils[0]!, GAD7_ID), { total_score: 0, band: 'minimal' })
    t.match(by(pupils[1]!, PHQA_ID), { total_score: 12, band: 'moderate', suggested_risk: 'red', safety_flag: true }, 'item 9 raises the suggestion')
    t.match(by(pupils[1]!, GAD7_ID), { total_score: 10, band: 'moderate' })
    t.match(by(pupils[2]!, PHQA_ID), { total_score: 1, band: 'minimal', suggested_risk: 'red', safety_flag: true })
    t.notOk(by(pupils[2]!, GAD7_ID), 'a skipped instrument is not a response')
    t.match(by(pupils[3]!, PHQA_ID), { total_score: 22, band: 'severe', suggested_risk: 'red', safety_flag: true })
    t.match(by(pupils[3]!, GAD7_ID), { total_score: 17, band: 'severe', suggested_risk: 'orange' })
    t.equal(got.length, 7)

    const crises = await queryRows<{ student_id: string; source: string; status: string }>(w.database.db, sql`select student_id, source, status from crisis_events where school_id = ${w.A.schoolId} order by student_id`)
    t.equal(crises.length, 3, 'one per response with item 9 ≥ 1')
    t.ok(crises.every((e) => e.source === 'safety_rule' && e.status === 'open'))
    t.same(new Set(crises.map((e) => e.student_id)), new Set([pupils[1]!.id, pupils[2]!.id, pupils[3]!.id]))

    const again = await call(psych, 'POST', `${url}?wait=true`, body, { 'content-type': 'text/csv' })
    t.match(again.json(), { status: 'succeeded', result: { responses: 7, inserted: 0, alreadyOnFile: 7, crisisEventsOpened: 0 } }, 'idempotent')
    t.equal((await responsesOf(w, c.id)).length, 7)
    t.equal(await w.count('crisis_events'), 3, 'no second crisis on re-import')
    const audits = await w.auditRows('screening_responses')
    t.ok(audits.some((a) => a.action === 'C' && a.record_ids.length === 7 && a.student_ids.length === 4))
  })
  t.test('a bad row is reported by row number and reason; nothing is written', async (t) => {
    const c2 = await openCampaign(w, psych, [PHQA_ID, GAD7_ID])
    const other = await w.pupil(w.B, w.B.classIds[0])
    const bad = csv([
      [pupils[0]!.studentNo, pupils[0]!.name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
      ['NOPE1', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
      [pupils[1]!.studentNo, '别人', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
      [pupils[2]!.studentNo, '', 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
      [pupils[3]!.studentNo, '', 0, 0, 0, 0, 0, 0, 0, 0, '', 0, 0, 0, 0, 0, 0, 0, shanghaiDay(5)],
      [pupils[0]!.studentNo, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
      [other.studentNo, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
    ])
    const res = await call(psych, 'POST', `/api/v1/screening/campaigns/${c2.id}/import?wait=true`, bad, { 'content-type': 'text/csv', 'accept-language': 'en' })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'import_rejected')
    t.same(res.json().details.errors, [
      { row: 3, field: '学号', reason: 'No student of the school has this number' },
      { row: 4, field: '姓名', reason: 'The name does not match the student number' },
      { row: 5, field: 'PHQ3', reason: 'The answer must be one of 0/1/2/3' },
      { row: 6, field: '测评日期', reason: 'The date is outside the campaign window or in the future' },
      { row: 6, field: 'PHQ9', reason: 'Required' },
      { row: 7, field: '学号', reason: 'Same student number as row 2' },
      { row: 8, field: '学号', reason: 'No student of the school has this number' },
    ])
    t.notOk(res.body.includes('别人'), 'reasons never repeat a cell')
    t.equal((await responsesOf(w, c2.id)).length, 0, 'all or nothing')
  })

  t.test('headers: 第N题 for one instrument, unknown and missing columns', async (t) => {
    const single = await openCampaign(w, psych, [GAD7_ID])
    const s = await w.pupil(w.A, w.A.classIds[1])
    const numbered = ['学号', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `第${n}题`), '班级']
    const ok = await call(psych, 'POST', `/api/v1/screening/campaigns/${single.id}/import?wait=true`,
      csv([[s.studentNo, 1, 1, 1, 1, 1, 0, 0, '七年级(2)班']], numbered), { 'content-type': 'text/csv' })
    t.equal(ok.statusCode, 200, ok.body)
    t.match((await responsesOf(w, single.id))[0], { total_score: 5, band: 'mild', screened_on: shanghaiDay() })

    const twoInst = await call(psych, 'POST', `${url}?wait=true`, csv([[s.studentNo, 1, 1, 1, 1, 1, 0, 0, 'x']], numbered), { 'content-type': 'text/csv' })
    t.equal(twoInst.json().code, 'import_instrument_ambiguous')
    const missing = await call(psych, 'POST', `${url}?wait=true`, csv([[s.studentNo, 1, 1]], ['学号', 'GAD1', 'GAD2']), { 'content-type': 'text/csv' })
    t.equal(missing.statusCode, 422)
    t.equal(missing.json().code, 'import_bad_headers')
    t.match(missing.json().details.missing, ['GAD3', 'GAD4', 'GAD5', 'GAD6', 'GAD7'])
    const unknown = await call(psych, 'POST', `${url}?wait=true`, csv([[s.studentNo, 1]], ['学号', 'SCL1']), { 'content-type': 'text/csv' })
    t.equal(unknown.json().code, 'import_unknown_columns')
    const json = await call(psych, 'POST', `${url}?wait=true`, { rows: [] })
    t.equal(json.statusCode, 415)
  })

  t.test('xlsx works the same', async (t) => {
    const c3 = await openCampaign(w, psych, [PHQA_ID, GAD7_ID])
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('测评结果')
    ws.addRow(HEADER)
    ws.addRow([pupils[0]!.studentNo, pupils[0]!.name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, new Date(`${day}T00:00:00Z`)])
    const file = Buffer.from(await wb.xlsx.writeBuffer())
    const res = await call(psych, 'POST', `/api/v1/screening/campaigns/${c3.id}/import?wait=true`, file, { 'content-type': XLSX_TYPE })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json().result, { rows: 1, responses: 2, inserted: 2 })
    const got = await responsesOf(w, c3.id)
    t.same(got.map((r) => [r.total_score, r.screened_on]).sort(), [[0, day], [7, day]])
  })

  t.test('without wait: 202, then progress until done', async (t) => {
    const c4 = await openCampaign(w, psych, [PHQA_ID, GAD7_ID])
    const res = await call(psych, 'POST', `/api/v1/screening/campaigns/${c4.id}/import`, body, { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 202)
    t.match(res.json(), { status: 'running', campaignId: c4.id })
    t.notOk('schoolId' in res.json() || 'createdBy' in res.json())
    const id = res.json().id as string
    let job = res.json()
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      job = (await call(psych, 'GET', `/api/v1/screening/imports/${id}`)).json()
    }
    t.match(job, { status: 'succeeded', phase: 'done', processed: 7, total: 7, result: { inserted: 7, crisisEventsOpened: 3 } })
    t.equal((await call(w.psych2, 'GET', `/api/v1/screening/imports/${id}`)).statusCode, 200, 'any psychology teacher of the school')
    t.equal((await call(psychB, 'GET', `/api/v1/screening/imports/${id}`)).statusCode, 404, 'not another school')
    t.equal((await call(homeroom, 'GET', `/api/v1/screening/imports/${id}`)).statusCode, 404)

    const bad = await call(psych, 'POST', `/api/v1/screening/campaigns/${c4.id}/import`, csv([['NOPE', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, day]]), { 'content-type': 'text/csv' })
    t.equal(bad.statusCode, 202)
    let failed = bad.json()
    for (let i = 0; i < 100 && failed.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      failed = (await call(psych, 'GET', `/api/v1/screening/imports/${failed.id}`)).json()
    }
    t.match(failed, { status: 'failed', code: 'import_rejected', errorCount: 1, errors: [{ row: 2, field: '学号' }] })
  })

  t.test('only psychology teachers of the school import', async (t) => {
    for (const who of [homeroom, admin, psychB]) {
      const res = await call(who, 'POST', `${url}?wait=true`, body, { 'content-type': 'text/csv' })
      t.equal(res.statusCode, 404)
    }
  })
})
