import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { injectAs } from '../helpers/app.js'
import { supportWorld } from '../support/fixtures.js'
import { auditCount, oneWinner, race } from './race.js'

t.test('support: concurrent state changes have exactly one winner', async (t) => {
  const w = await supportWorld()
  const psych2 = await w.caller(w.A, [{ role: 'psych_teacher' }])
  const two = [w.psych, psych2]
  const count = async (table: string, where: ReturnType<typeof sql>) =>
    (await queryRows<{ n: number }>(w.database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))[0]!.n

  const newAlert = async () => {
    const s = await w.student('class1')
    const res = await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { studentId: s.id, whatSeen: '课间一个人哭', urgency: 'medium' })
    t.equal(res.statusCode, 201, res.body)
    return res.json() as { id: string }
  }

  t.test('peer alert acknowledge: one of 50 wins, one audit row', async (t) => {
    const a = await newAlert()
    const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/peer-alerts/${a.id}/acknowledge`, {}))
    oneWinner(t, r, ['invalid_transition'], 'alert acknowledge')
    t.match(r.conflicts[0]?.json().message ?? '', /处理中/, 'the message names the state in words')
    t.equal(await auditCount(w.database, 'peer_alerts', 'U', a.id), 1, 'one audit row')
  })

  t.test('peer alert handle: one of 50 wins, one audit row', async (t) => {
    const a = await newAlert()
    const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/peer-alerts/${a.id}/handle`, { handledNote: `谈话 ${i}` }))
    oneWinner(t, r, ['invalid_transition'], 'alert handle')
    t.equal(await auditCount(w.database, 'peer_alerts', 'U', a.id), 1, 'one audit row')
  })

  t.test('referral steps: each step is taken by one of 50, one event and one audit row each', async (t) => {
    const s = await w.student('class1')
    const inst = (await w.call(w.psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre' })).json()
    const consent = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, {
      channel: 'meeting', guardianId: s.guardianId, referralConsent: 'given',
    })).json()
    const created = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: '需专科评估', followUpDate: '2099-01-01' })
    t.equal(created.statusCode, 201, created.body)
    const id = created.json().id as string
    const steps: Array<Record<string, unknown>> = [
      { to: 'consented', consentContactId: consent.id },
      { to: 'sent' },
      { to: 'received', receivedOn: '2024-11-02' },
      { to: 'feedback', feedback: '建议门诊随访' },
      { to: 'reassessed', reassessmentResult: '可复学', reassessedRisk: 'yellow' },
      { to: 'closed' },
    ]
    for (const body of steps) {
      const before = await auditCount(w.database, 'referrals', 'U', id)
      const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/referrals/${id}/transitions`, body))
      oneWinner(t, r, ['invalid_transition'], `referral → ${String(body.to)}`)
      t.equal(await count('referral_events', sql`referral_id = ${id} and to_state = ${body.to as string}`), 1, `one ${String(body.to)} event`)
      t.equal(await auditCount(w.database, 'referrals', 'U', id) - before, 1, `one audit row for ${String(body.to)}`)
    }
  })

  t.test('referral withdrawn 50 times at once: withdrawn once', async (t) => {
    const s = await w.student('class1')
    const inst = (await w.call(w.psych, 'POST', '/api/v1/institutions', { name: '区心理咨询中心', kind: 'mental_health_centre' })).json()
    const id = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: 'x', followUpDate: '2099-01-01' })).json().id as string
    const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/referrals/${id}/transitions`, { to: 'withdrawn', note: `家长拒绝 ${i}` }))
    oneWinner(t, r, ['invalid_transition'], 'referral withdraw')
    t.equal(await count('referral_events', sql`referral_id = ${id} and to_state = 'withdrawn'`), 1, 'one withdrawn event')
  })

  t.test('pairing end: one of 50 wins, one audit row', async (t) => {
    const s = await w.student('class1')
    const p = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, { mentorId: w.homeroom.id, purpose: '学业与情绪支持' })
    t.equal(p.statusCode, 201, p.body)
    const id = p.json().id as string
    const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/pairings/${id}/end`, { endedReason: `原因 ${i}` }))
    oneWinner(t, r, ['pairing_ended'], 'pairing end')
    t.equal(await auditCount(w.database, 'pairings', 'U', id), 1, 'one audit row')
    const now = (await w.call(w.psych, 'GET', `/api/v1/pairings/${id}`)).json()
    t.equal(now.endedReason, r.winners[0]?.json().endedReason, 'the winner’s reason stands')
  })

  t.test('peer watch request end: one of 50 wins, one audit row', async (t) => {
    const s = await w.student('class1')
    const q = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/peer-watch-requests`, { monitorId: w.monitor.id, ask: '留意午饭时是否独处' })
    t.equal(q.statusCode, 201, q.body)
    const id = q.json().id as string
    const r = await race((i) => w.call(two[i % 2]!, 'POST', `/api/v1/peer-watch-requests/${id}/end`, {}))
    oneWinner(t, r, ['watch_request_ended'], 'watch request end')
    t.equal(await auditCount(w.database, 'peer_watch_requests', 'U', id), 1, 'one audit row')
  })

  t.test('a rejected step still answers in both languages, naming the state', async (t) => {
    const a = await newAlert()
    t.equal((await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${a.id}/handle`, {})).statusCode, 200)
    const zh = await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${a.id}/acknowledge`, {})
    t.match(zh.json(), { statusCode: 409, code: 'invalid_transition', message: '当前状态（已处理）下不能执行此操作' })
    const en = await injectAs(w.app, w.psych.token, { method: 'POST', url: `/api/v1/peer-alerts/${a.id}/acknowledge`, payload: {}, headers: { 'accept-language': 'en' } })
    t.match(en.json(), { statusCode: 409, code: 'invalid_transition', message: 'Not allowed in the current state (handled)' })
  })
})
