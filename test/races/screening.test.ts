import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { GAD7_ID, PHQ9_ID, PHQA_ID, openCampaign, screeningWorld } from '../screening/fixtures.js'
import { ATTEMPTS, auditCount } from './race.js'

/**
 * A campaign's instruments are fixed once answers exist. One PATCH that swaps them races 49
 * answers on an instrument the PATCH drops; the PATCH sent at a different place each round.
 * Whatever the order, no answer may end up on an instrument its campaign no longer has: the
 * PATCH either finds answers (409) or comes before all of them (they then answer 400).
 */
t.test('screening: changing a campaign’s instruments racing its answers', async (t) => {
  const w = await screeningWorld()
  const pupils = await Promise.all(Array.from({ length: ATTEMPTS }, () => w.pupil(w.A, w.A.classIds[0])))

  for (const at of [0, 5, 25]) {
    t.test(`PATCH sent as attempt ${at}`, async (t) => {
      const c = await openCampaign(w, w.psych, [PHQA_ID, GAD7_ID])
      const all = await Promise.all(pupils.map((p, i) => i === at
        ? w.call(w.psych2, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { instrumentIds: [PHQ9_ID] })
        : w.call(w.psych, 'POST', `/api/v1/screening/campaigns/${c.id}/responses`, { studentId: p.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 1] })))
      const patch = all[at]!
      const answers = all.filter((_, i) => i !== at)
      const saved = answers.filter((r) => r.statusCode === 201).length
      const rows = await queryRows<{ instrument_id: string }>(w.database.db, sql`select instrument_id from screening_responses where campaign_id = ${c.id}`)
      const now = (await w.call(w.psych, 'GET', `/api/v1/screening/campaigns/${c.id}`)).json() as { instrumentIds: string[] }
      t.equal(rows.length, saved, 'every 201 is one saved answer')
      t.same(rows.filter((r) => !now.instrumentIds.includes(r.instrument_id)), [], 'no answer on an instrument the campaign no longer has')
      if (patch.statusCode === 200) {
        t.equal(saved, 0, 'the change came first: no answer on the dropped instrument')
        t.same(answers.map((r) => r.json().code).filter((code) => code !== 'instrument_not_in_campaign'), [], 'the answers after it are refused in words')
        t.same(now.instrumentIds, [PHQ9_ID])
        t.equal(await auditCount(w.database, 'screening_campaigns', 'U', c.id), 1, 'one audit row')
      } else {
        t.equal(patch.statusCode, 409, patch.body)
        t.equal(patch.json().code, 'campaign_has_responses')
        t.ok(saved > 0, 'refused because answers were there')
        t.same(now.instrumentIds, [PHQA_ID, GAD7_ID], 'instruments unchanged')
        t.same(answers.map((r) => r.statusCode).filter((s) => s !== 201), [], 'every answer saved')
        t.equal(await auditCount(w.database, 'screening_campaigns', 'U', c.id), 0, 'no change audited')
      }
    })
  }
})
