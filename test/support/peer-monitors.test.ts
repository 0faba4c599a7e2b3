import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { users } from '../../db/schema/index.js'
import { supportWorld } from './fixtures.js'

t.test('the monitors a watch request can go to: the student’s class, active accounts, names only', async (t) => {
  const w = await supportWorld()
  const s1 = await w.student('class1')
  const s2 = await w.student('class2')
  const other = await w.student('schoolB')
  const url = (id: string) => `/api/v1/students/${id}/peer-monitors`

  const one = await w.call(w.psych, 'GET', url(s1.id))
  t.equal(one.statusCode, 200, one.body)
  t.same(one.json().items.map((m: { id: string }) => m.id), [w.monitor.id], 'the monitor of class 1 only')
  t.same(Object.keys(one.json().items[0]).sort(), ['displayName', 'id'], 'names only')
  t.same((await w.call(w.psych, 'GET', url(s2.id))).json().items.map((m: { id: string }) => m.id), [w.monitor2.id])
  const audit = await w.lastAudit('users')
  t.match(audit, { action: 'R', record_ids: [w.monitor2.id] }, 'the names read are audited (ids only)')

  // The one listed is one a request is accepted for.
  const ok = await w.call(w.psych, 'POST', `/api/v1/students/${s1.id}/peer-watch-requests`, { monitorId: one.json().items[0].id, ask: '留意课间是否独处' })
  t.equal(ok.statusCode, 201, ok.body)

  await w.database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, w.monitor.id))
  t.same((await w.call(w.psych, 'GET', url(s1.id))).json().items, [], 'a disabled account is not offered')

  t.equal((await w.call(w.psych, 'GET', url(other.id))).statusCode, 404, 'another school’s student')
  for (const who of [w.homeroom, w.mentor, w.monitor2, w.admin]) {
    t.equal((await w.call(who, 'GET', url(s2.id))).statusCode, 404, 'only who may ask a monitor')
  }
})
