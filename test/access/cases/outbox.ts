import { sql } from 'drizzle-orm'
import { channelBox, channelAad } from '../../../src/modules/outbox/secret-box.js'
import type { Catalogue } from '../catalogue.js'
import type { Variant, World, WorldUser } from '../world.js'

/**
 * Matrix entries of the outbound channels. The school's channels live at fixed addresses of the
 * caller's own school (no record id: the answer is always the caller's school), so they are
 * `collection` cases: allowed roles answer 200, others 403. Each request first puts a channel
 * row with a sealed value in the caller's school and in school B, and a personal row for the
 * caller and for someone else, so the leak scan sees their canaries.
 */

// Any key: the planted row only has to hold a sealed value; the app never opens it in these cases.
const box = channelBox('matrix-fixture-key-matrix-fixture-key')

async function seedRows(w: World, caller: WorldUser, v: Variant) {
  const { db } = w.database
  for (const schoolId of [w.schoolA.schoolId, w.schoolB.schoolId]) {
    const sealed = box.seal({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix' }, channelAad(schoolId, 'wecom'))
    await db.execute(sql`insert into school_channels (school_id, kind, enabled, settings, secret_sealed, hint)
      values (${schoolId}, 'wecom', false, '{"set":["url"]}'::jsonb, ${sealed}, '.com')
      on conflict (school_id, kind) do nothing`)
  }
  const someoneElse = caller.id === w.users.school_admin.id ? w.users.psych_teacher.id : w.users.school_admin.id
  const owner = v === 'ownClass' ? caller.id : someoneElse
  await db.execute(sql`insert into user_channels (school_id, user_id, email, mobile) values (${w.schoolA.schoolId}, ${owner}, 'teacher@example.edu.cn', '13800000000')
    on conflict (school_id, user_id) do nothing`)
}

const fixed = (url: string, payload?: unknown) => ({
  kind: 'collection' as const,
  ok: 200,
  async request(w: World, v: Variant, caller: WorldUser) {
    await seedRows(w, caller, v)
    return { url, ...(payload !== undefined ? { payload } : {}) }
  },
})

export const outboxCases: Catalogue = {
  'GET /api/v1/notification-channels': fixed('/api/v1/notification-channels'),
  // Turning a channel off needs nothing else; no test server is involved.
  'PUT /api/v1/notification-channels/:kind': fixed('/api/v1/notification-channels/wecom', { enabled: false }),
  // The fixture's robot is off and nothing listens: the answer is 200 with the outcome (not sent).
  'POST /api/v1/notification-channels/:kind/test': fixed('/api/v1/notification-channels/sms/test'),
  'GET /api/v1/me/notification-channels': fixed('/api/v1/me/notification-channels'),
  'PUT /api/v1/me/notification-channels': fixed('/api/v1/me/notification-channels', { emailEnabled: false }),
  'POST /api/v1/me/notification-channels/test': fixed('/api/v1/me/notification-channels/test', { channel: 'sms' }),
}
