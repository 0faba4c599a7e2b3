import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { PolicyRegistry } from '../../src/access/engine.js'
import type { Actor } from '../../src/access/roles.js'
import { queryRows } from '../../src/db/database.js'
import { schoolDay, schoolDayOf } from '../../src/lib/school-day.js'
import { policies } from '../../policies/index.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * "Today" is the schools' calendar day in TZ_SCHOOL, computed by one module in JavaScript and
 * in SQL; the policy engine's "pairing active today" uses the same zone.
 */
const instants = ['2026-12-05T15:59:59Z', '2026-12-05T16:00:00Z', '2026-03-31T23:30:00Z', '2026-07-01T10:15:00Z']
const zones = ['Asia/Shanghai', 'Asia/Urumqi', 'UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']

t.test('the day in JavaScript and in the database agree, zone by zone', async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  for (const zone of zones) {
    for (const at of instants) {
      const [row] = await queryRows<{ day: string | Date }>(database.db, sql`select ${schoolDayOf(sql`${at}::timestamptz`, zone)}::text as day`)
      t.equal(String(row!.day), schoolDay(new Date(at), zone), `${at} in ${zone}`)
    }
  }
  t.equal(schoolDay(new Date('2026-12-05T16:00:00Z'), 'Asia/Shanghai'), '2026-12-06', 'midnight in Beijing is 16:00 UTC')
  t.equal(schoolDay(new Date('2026-12-05T16:00:00Z'), 'UTC'), '2026-12-05')
})

t.test("the engine's pairing condition is computed in the configured zone", async (t) => {
  const mentor: Actor = {
    userId: '00000000-0000-4000-8000-000000000001', username: 'm', displayName: 'm', sessionId: '00000000-0000-4000-8000-000000000002',
    schoolId: '00000000-0000-4000-8000-000000000003', districtId: null,
    roles: [{ role: 'homeroom_teacher', schoolId: '00000000-0000-4000-8000-000000000003', classId: null, districtId: null }],
  }
  const dialect = new PgDialect()
  for (const zone of ['Pacific/Kiritimati', 'Asia/Urumqi']) {
    const d = new PolicyRegistry(policies, { timeZone: zone }).decide(mentor, 'students', 'read')
    t.ok(d, 'a teacher reaches paired students as a mentor')
    const q = dialect.sqlToQuery(d!.where())
    t.match(q.sql, /at time zone/, 'the condition names a zone')
    t.ok(q.params.includes(zone), `the zone is ${zone}`)
    t.notOk(q.params.includes(zone === 'Asia/Urumqi' ? 'Pacific/Kiritimati' : 'Asia/Urumqi'), 'and not another one')
  }
})
