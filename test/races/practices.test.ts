import t from '../helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import { crisisEvents, letters } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { buildTestApp } from '../helpers/app.js'
import { as, practiceWorld } from '../practices/helpers.js'
import { auditCount, oneWinner, race } from './race.js'

t.test('letters: flagging a letter as a danger 50 times at once opens one crisis event', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const psych2 = { ...w.psych }
  await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })
  const slug = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
  const write = async (body: string) => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body }, remoteAddress: `192.0.2.${Math.floor(Math.random() * 200)}` })
    t.equal(res.statusCode, 201, res.body)
    // Sealed at rest: compared after drizzle opened it, not in SQL.
    return (await db.select({ id: letters.id, body: letters.body }).from(letters)).find((r) => r.body === body)!.id
  }
  const crisesOf = async (studentId: string) => (await db.select().from(crisisEvents).where(eq(crisisEvents.studentId, studentId))).length

  t.test('with a student: one crisis, one crisis audit row; the rest 409 in words', async (t) => {
    const studentId = await w.student()
    const id = await write('我同桌说他想从楼上跳下去。')
    const r = await race(() => as(app, psych2, 'POST', `/api/v1/letters/${id}/danger`, { studentId }))
    oneWinner(t, r, ['letter_danger_flagged'], 'danger')
    t.equal(r.conflicts[0]?.json().message, '该来信已标记为危险，不再重复开启危机事件')
    t.equal(await crisesOf(studentId), 1, 'one crisis event')
    const crisisId = r.winners[0]!.json().crisisId as string
    t.equal(await auditCount(database, 'crisis_events', 'C', crisisId), 1, 'one crisis audit row')
    const day = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where resource = 'letters' and action = 'U' and outcome = 'ok'`)
    t.equal(day[0]!.n, 1, 'one day-only letter row (naming no letter)')
  })

  t.test('without a student: flagged once, one audit row', async (t) => {
    const id = await write('活着没意思。')
    const r = await race(() => as(app, w.psych, 'POST', `/api/v1/letters/${id}/danger`))
    oneWinner(t, r, ['letter_danger_flagged'], 'danger without a student')
    t.equal(await auditCount(database, 'letters', 'U', id), 1, 'one audit row')
  })
})
