import type { Test } from 'tap'
import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { PgliteSession } from 'drizzle-orm/pglite/session'
import { PostgresJsSession } from 'drizzle-orm/postgres-js/session'
import { queryRows } from '../../src/db/database.js'
import { createUser, login } from '../helpers/app.js'
import { screeningWorld, shanghaiDay, type Caller } from '../screening/fixtures.js'

/** Statements sent to the database, counted in drizzle's driver sessions (as test/talks/round-trips.test.ts does). */
let statements = 0
for (const Session of [PgliteSession, PostgresJsSession] as unknown as { prototype: Record<string, unknown> }[]) {
  const proto = Session.prototype as {
    prepareQuery: (this: unknown, ...args: unknown[]) => unknown
    transaction: (this: unknown, ...args: unknown[]) => Promise<unknown>
  }
  const prepare = proto.prepareQuery
  proto.prepareQuery = function (...args) { statements++; return prepare.apply(this, args) }
  const transaction = proto.transaction
  proto.transaction = async function (...args) { statements += 2; return transaction.apply(this, args) }
}

interface AuditRow { seq: number; actor_id: string; action: string; resource: string; record_ids: string[]; student_ids: string[]; field_groups: string[]; request_id: string | null }

t.test('GET /cases/:id/page: each part as its own route gives it, one audit row', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, homeroom, mentor, admin, call, database, A } = w
  const s = await w.pupil(A, A.classIds[0])
  const other = await w.pupil(A, A.classIds[0])
  const ok = async (res: Awaited<ReturnType<typeof call>>, status = 201) => {
    t.equal(res.statusCode, status, res.body)
    return res.json()
  }

  const kase = await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'screening', riskLevel: 'orange', summary: '筛查后开案' }))
  await ok(await call(psych, 'POST', `/api/v1/cases/${kase.id}/plan`, { goals: '睡眠恢复规律', measures: '每周一次个体辅导', reviewDate: shanghaiDay(14) }))
  await ok(await call(psych, 'POST', `/api/v1/cases/${kase.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(-3), durationMin: 45, notes: '情绪低落', reassessedRisk: 'yellow' }))
  await ok(await call(psych, 'POST', `/api/v1/cases/${kase.id}/sessions`, { kind: 'group', sessionDate: shanghaiDay(-1), durationMin: 60 }))
  await ok(await call(psych, 'POST', `/api/v1/cases/${kase.id}/transition`, { to: 'intervening', reason: '开始干预' }), 200)
  await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, { summary: '课间发现', caseId: kase.id }))
  await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/pairings`, { mentorId: mentor.id, purpose: '学业与情绪支持' }))
  await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', content: '沟通作息', referralConsent: 'given', caseId: kase.id }))
  const inst = await ok(await call(psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre', department: '儿少科' }))
  await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: '持续低落', followUpDate: shanghaiDay(7), caseId: kase.id }))
  // Another pupil's records never reach this page.
  await ok(await call(psych, 'POST', `/api/v1/students/${other.id}/crisis-events`, { summary: '另一位同学' }))

  /** What the case page showed before: one route per part, as the same caller. */
  const separately = async (who: Caller) => {
    const get = async (url: string) => {
      const res = await call(who, 'GET', url)
      return res.statusCode === 200 ? res.json() : res.statusCode
    }
    const list = (body: unknown) => (typeof body === 'number' ? body : { items: (body as { items: unknown[] }).items, total: (body as { total: number }).total })
    return {
      case: await get(`/api/v1/cases/${kase.id}`),
      plan: await get(`/api/v1/cases/${kase.id}/plan`),
      sessions: list(await get(`/api/v1/cases/${kase.id}/sessions`)),
      events: list(await get(`/api/v1/cases/${kase.id}/events`)),
      crisisEvents: list(await get(`/api/v1/crisis-events?studentId=${s.id}&limit=100`)),
      pairings: list(await get(`/api/v1/pairings?studentId=${s.id}&limit=100`)),
      parentContacts: list(await get(`/api/v1/parent-contacts?studentId=${s.id}&limit=100`)),
      referrals: list(await get(`/api/v1/referrals?studentId=${s.id}&limit=100`)),
    }
  }
  const auditSince = (seq: number) => queryRows<AuditRow>(database.db, sql`select seq::int as seq, actor_id::text as actor_id, action, resource,
    record_ids, student_ids::text[] as student_ids, field_groups, request_id from audit_log where seq > ${seq} order by seq`)
  const lastSeq = async () => (await queryRows<{ n: number }>(database.db, sql`select coalesce(max(seq), 0)::int as n from audit_log`))[0]!.n

  const comparePage = async (t: Test, who: Caller) => {
    const parts = await separately(who)
    const before = await lastSeq()
    const res = await call(who, 'GET', `/api/v1/cases/${kase.id}/page`)
    t.equal(res.statusCode, 200, res.body)
    const page = res.json()
    const audits = await auditSince(before)
    for (const [key, alone] of Object.entries(parts)) {
      if (key === 'plan' && alone === 404) t.equal(page.plan, null, 'no plan: null, as the route’s 404')
      else if (typeof alone === 'number') t.notOk(key in page, `${key}: absent where its route answers ${alone}`)
      else t.same(page[key], alone, `${key} equals its own route`)
    }
    t.equal(audits.length, 1, 'one audit row for the whole page')
    const a = audits[0]!
    t.match(a, { actor_id: who.id, action: 'R', resource: 'cases', request_id: res.headers['x-request-id'] })
    t.same(a.student_ids, [s.id], 'the one student the page is about')
    const ids = new Set(a.record_ids)
    const shown: string[] = [page.case.id, page.plan?.id,
      ...['sessions', 'events', 'crisisEvents', 'pairings', 'parentContacts', 'referrals'].flatMap((k) => (page[k]?.items ?? []).map((i: { id: string }) => i.id))]
    for (const id of shown.filter(Boolean)) t.ok(ids.has(id), `audit names ${id}`)
    t.ok(a.field_groups.includes('cases.risk') && a.field_groups.includes('counselling_sessions.notes'), 'groups are resource.group')
    return page
  }

  t.test('psychology teacher: every part, the names of the rows', async (t) => {
    const page = await comparePage(t, psych)
    t.equal(page.sessions.items.length, 2)
    t.equal(page.crisisEvents.items.length, 1, 'only this pupil’s crisis events')
    t.equal(page.events.items.length, 2, 'opened and moved to intervening')
    t.equal(page.pairings.items[0].mentorId, mentor.id)
    t.match(page.names.users[mentor.id], new RegExp(mentor.username), 'the mentor is named')
    t.match(page.names.users[psych.id], new RegExp(psych.username), 'the author of the case is named')
    t.equal(page.names.institutions[inst.id], '市精神卫生中心 · 儿少科')
    t.same(Object.keys(page.names.users).sort(), [mentor.id, psych.id].sort(), 'only the people of the rows returned')
    t.equal(Object.keys(page.names.institutions).length, 1)
  })

  t.test('psychology teacher who is also a mentor: the merged view, part by part', async (t) => {
    const u = await createUser(database, A, [{ role: 'psych_teacher' }, { role: 'mentor' }])
    const both: Caller = { ...u, token: (await login(w.app, u.username)).accessToken }
    await comparePage(t, both)
  })

  t.test('a case without a plan: plan null, the other parts still there', async (t) => {
    const bare = await ok(await call(psych, 'POST', `/api/v1/students/${other.id}/cases`, { source: 'talk', riskLevel: 'yellow' }))
    const page = (await call(psych, 'GET', `/api/v1/cases/${bare.id}/page`)).json()
    t.equal(page.plan, null)
    t.same(page.sessions, { items: [], total: 0 })
    t.equal(page.crisisEvents.items.length, 1, 'the other pupil’s own crisis event')
  })

  t.test('round trips: the page in one transaction, fewer statements than its routes together', async (t) => {
    await call(psych, 'GET', `/api/v1/cases/${kase.id}/page`) // warm-up
    statements = 0
    t.equal((await call(psych, 'GET', `/api/v1/cases/${kase.id}/page`)).statusCode, 200)
    const page = statements
    statements = 0
    await separately(psych)
    await call(psych, 'GET', '/api/v1/users?status=active&limit=500')
    await call(psych, 'GET', '/api/v1/institutions?limit=500')
    const routes = statements
    t.comment(`case page: ${page} statements; the ten GETs it replaces: ${routes}`)
    t.ok(page > 0 && page < routes, `page ${page} < separate routes ${routes}`)
  })

  t.test('no case reader, another school, no such case: 404 without the record', async (t) => {
    for (const who of [homeroom, mentor, admin, psychB]) {
      const before = await lastSeq()
      const res = await call(who, 'GET', `/api/v1/cases/${kase.id}/page`)
      t.equal(res.statusCode, 404)
      t.notOk(res.body.includes('筛查后开案') || res.body.includes('情绪低落'), 'nothing of the case')
      t.ok((await auditSince(before)).every((a) => a.action === 'denied'), 'the refusal is audited, no read')
    }
    t.equal((await call(psych, 'GET', '/api/v1/cases/00000000-0000-4000-8000-000000000000/page')).statusCode, 404)
    t.equal((await call(psych, 'GET', '/api/v1/cases/not-a-uuid/page')).statusCode, 400)
  })
})
