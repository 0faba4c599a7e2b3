import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { buildTestApp, createSchool, createUser, injectAs, login } from '../helpers/app.js'

/**
 * 谁查看了该学生: one row per page view. A page load makes several audited requests
 * (the archive, its guardians, the access log itself); they are one view of one actor, with
 * every record type it touched. Another actor, another purpose, a write, or a pause of a minute
 * starts a new row. The audit log itself keeps every request.
 */
t.test('the access log lists page views, not requests', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const other = await createUser(database, school, [{ role: 'psych_teacher' }])
  const tokenA = (await login(app, psych.username)).accessToken
  const tokenB = (await login(app, other.username)).accessToken
  const s = (await database.db.insert(students).values({ schoolId: school.schoolId, classId: school.classIds[0], studentNo: 'V1', name: '查看测试', gender: 'F' }).returning())[0]!
  const get = (token: string, path: string, headers: Record<string, string> = {}) => injectAs(app, token, { method: 'GET', url: `/api/v1/students/${s.id}${path}`, headers })

  // One page load by A: the archive, the guardians tab, the access-log tab.
  for (const path of ['/archive', '/guardians', '']) t.equal((await get(tokenA, path)).statusCode, 200, `A reads ${path || 'the student'}`)
  // Counted before the access log is read: its own read is recorded after it answers.
  const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where ${s.id}::uuid = any(student_ids)`)
  const requests = Number(rows[0]!.n)
  t.ok(requests >= 3, `the audit log keeps every request (${requests})`)
  const log1 = await get(tokenA, '/access-log?limit=50')
  t.equal(log1.statusCode, 200)
  const items = log1.json().items as Array<{ actorId: string; resources: string[]; resource: string; requests: number; action: string; outcome: string; purpose: string | null; ts: string; lastTs: string }>
  t.equal(items.length, 1, 'one page load is one row')
  t.equal(items[0]!.actorId, psych.id)
  t.same([...items[0]!.resources].sort(), ['guardians', 'students'], 'with every record type it touched')
  t.equal(items[0]!.resources[0], 'students', 'the student record first')
  t.equal(items[0]!.resource, 'students')
  t.equal(items[0]!.requests, requests, 'it counts the requests it stands for')
  t.ok(Date.parse(items[0]!.lastTs) >= Date.parse(items[0]!.ts))

  // Another reader, then A again: three views, newest first.
  t.equal((await get(tokenB, '/archive')).statusCode, 200)
  t.equal((await get(tokenA, '/archive', { 'x-purpose': '个案复查' })).statusCode, 200)
  const log2 = (await get(tokenA, '/access-log?limit=50', { 'x-purpose': '个案复查' })).json()
  const views = log2.items as typeof items
  t.equal(log2.total, 3, 'A, B, then A with a purpose')
  t.same(views.map((v) => v.actorId), [psych.id, other.id, psych.id])
  t.equal(views[0]!.purpose, '个案复查', 'the purpose is its own column')

  // A pause of more than a minute starts a new view even for the same reader and purpose.
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`)
    await tx.execute(sql`update audit_log set ts = ts - interval '10 minutes' where ${s.id}::uuid = any(student_ids)`)
  })
  t.equal((await get(tokenA, '/archive', { 'x-purpose': '个案复查' })).statusCode, 200)
  const log3 = (await get(tokenA, '/access-log?limit=50', { 'x-purpose': '个案复查' })).json()
  t.equal(log3.total, 4, 'a read ten minutes later is a new view (log2’s own read joined the one before)')

  // Paging counts views.
  const page = (await get(tokenA, '/access-log?limit=2&offset=2')).json()
  t.equal(page.items.length, 2)
  t.equal(page.total, 4)
  t.same(page.items.map((v: { actorId: string }) => v.actorId), [other.id, psych.id])
})
