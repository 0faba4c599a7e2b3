import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { verifyAuditChain } from '../../src/audit/audit.js'
import { injectAs, login, TEST_PASSWORD } from '../helpers/app.js'
import { rosterWorld } from '../roster/fixtures.js'

const LOGIN = '/api/v1/auth/login'
const PASSWORD = '/api/v1/auth/password'
const ME = '/api/v1/auth/me'
const SESSIONS = '/api/v1/auth/me/sessions'

interface AuditRow { action: string; resource: string; actor_id: string | null; record_ids: string[]; field_groups: string[]; outcome: string; text: string }

t.test('password reset, must-change and my sessions', async (t) => {
  const w = await rosterWorld()
  const { app, database, admin, adminB, psych, A } = w
  const tryLogin = (username: string, password: string) => app.inject({ method: 'POST', url: LOGIN, payload: { username, password } })
  const auditSince = async (mark: number) => queryRows<AuditRow>(database.db,
    sql`select action, resource, actor_id, record_ids, field_groups, outcome, a::text as text from audit_log a where seq > ${mark} order by seq`)
  const mark = async () => Number((await queryRows<{ n: string | number }>(database.db, sql`select coalesce(max(seq), 0) as n from audit_log`))[0]!.n)
  const flagOf = async (id: string) => (await queryRows<{ f: boolean }>(database.db, sql`select must_change_password as f from users where id = ${id}`))[0]!.f

  t.test('an admin resets a password: the old one fails, the one-time password opens only the password change', async (t) => {
    const target = await w.caller(A, [{ role: 'homeroom_teacher', classId: A.classIds[0] }])
    const other = await login(app, target.username) // a second login of the same account, on another device
    const before = await mark()

    const reset = await w.call(admin, 'POST', `/api/v1/users/${target.id}/password-reset`)
    t.equal(reset.statusCode, 200)
    const otp = reset.json().oneTimePassword as string
    t.match(otp, /^[A-HJ-NP-Za-km-z2-9]{16}$/, '16 characters without look-alikes')
    t.match(otp, /\d/)
    t.match(otp, /[A-Za-z]/)
    t.equal(reset.headers['cache-control'], 'no-store', 'the answer is not cached anywhere')

    const rows = await auditSince(before)
    t.equal(rows.length, 1, 'one audit row, in the reset’s transaction')
    t.match(rows[0], { action: 'U', resource: 'users', actor_id: admin.id, field_groups: ['secret'], outcome: 'ok' })
    t.same(rows[0]!.record_ids, [target.id])
    t.notMatch(rows[0]!.text, otp, 'the password is not in the audit row')

    // Every login of the account ended at once.
    t.equal((await injectAs(app, target.token, { method: 'GET', url: ME })).statusCode, 401, 'the old session is over')
    t.equal((await injectAs(app, other.accessToken, { method: 'GET', url: ME })).statusCode, 401, 'so is the other device')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: other.refreshToken } })).statusCode, 401, 'and its refresh token')

    t.equal((await tryLogin(target.username, TEST_PASSWORD)).statusCode, 401, 'the old password no longer signs in')
    const signIn = await tryLogin(target.username, otp)
    t.equal(signIn.statusCode, 200, 'the one-time password signs in')
    t.equal(signIn.json().user.mustChangePassword, true, 'and says it must be changed')
    const token = signIn.json().accessToken as string

    // Every other route answers 403 until the change.
    for (const [method, url] of [['GET', '/api/v1/classes'], ['GET', '/api/v1/students'], ['GET', '/api/v1/notifications'], ['GET', SESSIONS], ['POST', `${SESSIONS}/end-others`]] as const) {
      const r = await injectAs(app, token, { method, url })
      t.equal(r.statusCode, 403, `${method} ${url} is refused`)
      t.equal(r.json().code, 'password_change_required')
      t.match(r.json().message, /修改密码/, 'with a message, in Chinese by default')
    }
    const en = await injectAs(app, token, { method: 'GET', url: '/api/v1/classes', headers: { 'accept-language': 'en' } })
    t.match(en.json().message, /Change your password first/)
    const meRes = await injectAs(app, token, { method: 'GET', url: ME })
    t.equal(meRes.statusCode, 200, '/me answers')
    t.equal(meRes.json().mustChangePassword, true)

    // Keeping the one-time password as the "new" one is refused; a weak one too.
    const same = await injectAs(app, token, { method: 'POST', url: PASSWORD, payload: { currentPassword: otp, newPassword: otp } })
    t.equal(same.statusCode, 400)
    t.equal(same.json().code, 'password_unchanged')
    const weak = await injectAs(app, token, { method: 'POST', url: PASSWORD, payload: { currentPassword: otp, newPassword: 'short' } })
    t.equal(weak.json().code, 'weak_password')
    t.equal(await flagOf(target.id), true, 'still must change')

    const beforeChange = await mark()
    const changed = await injectAs(app, token, { method: 'POST', url: PASSWORD, payload: { currentPassword: otp, newPassword: 'My-own-password-2026' } })
    t.equal(changed.statusCode, 200, 'the change works')
    t.equal(changed.json().user.mustChangePassword, false)
    t.equal(await flagOf(target.id), false)
    const changeAudit = await auditSince(beforeChange)
    t.same(changeAudit.map((r) => [r.action, r.resource, r.actor_id, r.outcome]), [['U', 'password', target.id, 'ok']], 'the change is audited')
    t.equal(changeAudit[0]!.record_ids[0], target.id)
    t.equal((await injectAs(app, token, { method: 'GET', url: ME })).statusCode, 401, 'the one-time login itself ended with the change')
    const fresh = changed.json().accessToken as string
    const classes = await injectAs(app, fresh, { method: 'GET', url: '/api/v1/classes' })
    t.equal(classes.statusCode, 200, 'everything works again with the fresh session')
    t.same(classes.json().items.map((c: { id: string }) => c.id), [A.classIds[0]])
    t.equal((await tryLogin(target.username, otp)).statusCode, 401, 'the one-time password is spent')
    t.equal((await tryLogin(target.username, 'My-own-password-2026')).statusCode, 200)
  })

  t.test('who may reset whom', async (t) => {
    const target = await w.caller(A, [{ role: 'mentor' }])
    const foreign = await w.call(adminB, 'POST', `/api/v1/users/${target.id}/password-reset`)
    t.equal(foreign.statusCode, 404, 'another school’s admin: as if the account did not exist')
    const notAdmin = await w.call(psych, 'POST', `/api/v1/users/${target.id}/password-reset`)
    t.equal(notAdmin.statusCode, 404, 'a psychology teacher reads accounts but may not reset them')
    const self = await w.call(admin, 'POST', `/api/v1/users/${admin.id}/password-reset`)
    t.equal(self.statusCode, 409)
    t.equal(self.json().code, 'cannot_reset_own_password')
    t.equal((await injectAs(app, target.token, { method: 'GET', url: ME })).statusCode, 200, 'none of these touched the account')
    t.equal((await tryLogin(target.username, TEST_PASSWORD)).statusCode, 200)
  })

  t.test('a new account must change the password the admin chose; the admin sees the flag', async (t) => {
    const initial = 'Initial-pass-2026'
    const made = await w.call(admin, 'POST', '/api/v1/users', { username: `new.${Date.now().toString(36)}`, displayName: '新老师', password: initial, roles: [{ role: 'mentor' }] })
    t.equal(made.statusCode, 201)
    t.equal(made.json().mustChangePassword, true, 'the admin sees that it is pending')
    const s = await login(app, made.json().username as string, initial)
    t.equal((s.user as { mustChangePassword?: boolean }).mustChangePassword, true)
    t.equal((await injectAs(app, s.accessToken, { method: 'GET', url: '/api/v1/pairings' })).statusCode, 403)
    const changed = await injectAs(app, s.accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: initial, newPassword: 'Chosen-by-me-2026' } })
    t.equal(changed.statusCode, 200)
    const after = await w.call(admin, 'GET', `/api/v1/users/${made.json().id}`)
    t.equal(after.json().mustChangePassword, false)
    // Accounts made before this release, and the fixtures' accounts, are not affected.
    t.equal((await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/classes' })).statusCode, 200)
  })

  t.test('my sessions: list, end one, end all others', async (t) => {
    const who = await w.caller(A, [{ role: 'mentor' }])
    const phone = await login(app, who.username)
    const laptop = await login(app, who.username)
    const list = await injectAs(app, who.token, { method: 'GET', url: SESSIONS })
    t.equal(list.statusCode, 200)
    const items = list.json().items as Array<{ id: string; createdAt: string; lastActiveAt: string; current: boolean }>
    t.equal(items.length, 3, 'three live logins')
    t.same(items.filter((i) => i.current).length, 1, 'one is this one')
    t.same(Object.keys(items[0]!).sort(), ['createdAt', 'current', 'id', 'lastActiveAt'], 'times only: no device or address is kept')
    const sid = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string }).sid
    t.equal(items.find((i) => i.current)!.id, sid(who.token))

    // Someone else's session: as if it did not exist, and it goes on working.
    const stranger = await w.caller(A, [{ role: 'mentor' }])
    const foreign = await injectAs(app, who.token, { method: 'DELETE', url: `${SESSIONS}/${sid(stranger.token)}` })
    t.equal(foreign.statusCode, 404)
    t.equal((await injectAs(app, stranger.token, { method: 'GET', url: ME })).statusCode, 200)
    t.equal((await injectAs(app, who.token, { method: 'DELETE', url: `${SESSIONS}/not-a-uuid` })).statusCode, 400)

    const before = await mark()
    t.equal((await injectAs(app, phone.accessToken, { method: 'GET', url: ME })).statusCode, 200, 'the phone works before')
    const end = await injectAs(app, who.token, { method: 'DELETE', url: `${SESSIONS}/${sid(phone.accessToken)}` })
    t.equal(end.statusCode, 204)
    t.equal((await injectAs(app, phone.accessToken, { method: 'GET', url: ME })).statusCode, 401, 'its very next request is refused')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: phone.refreshToken } })).statusCode, 401, 'and it cannot refresh')
    t.equal((await injectAs(app, who.token, { method: 'DELETE', url: `${SESSIONS}/${sid(phone.accessToken)}` })).statusCode, 404, 'ending it again: already over')
    const listed = (await injectAs(app, who.token, { method: 'GET', url: SESSIONS })).json().items as Array<{ id: string }>
    t.notOk(listed.some((i) => i.id === sid(phone.accessToken)), 'no longer listed')
    t.equal(listed.length, 2)

    const ended = await injectAs(app, who.token, { method: 'POST', url: `${SESSIONS}/end-others` })
    t.equal(ended.statusCode, 200)
    t.same(ended.json(), { ended: 1 })
    t.equal((await injectAs(app, laptop.accessToken, { method: 'GET', url: ME })).statusCode, 401, 'the laptop is signed out')
    t.equal((await injectAs(app, who.token, { method: 'GET', url: ME })).statusCode, 200, 'this one goes on')
    t.same((await injectAs(app, who.token, { method: 'GET', url: SESSIONS })).json().items.map((i: { id: string }) => i.id), [sid(who.token)])
    t.same((await injectAs(app, who.token, { method: 'POST', url: `${SESSIONS}/end-others` })).json(), { ended: 0 }, 'nothing left to end')

    const rows = await auditSince(before)
    t.same(rows.map((r) => [r.action, r.resource, r.actor_id, r.outcome]), [['D', 'session', who.id, 'ok'], ['D', 'session', who.id, 'ok']], 'each ending is audited; refusals change nothing')
    t.same(rows[0]!.record_ids, [sid(phone.accessToken)])
    t.same(rows[1]!.record_ids, [sid(laptop.accessToken)])
    t.equal((await verifyAuditChain(database.db)).ok, true)
  })

  t.test('a session whose refresh tokens have all expired is not listed', async (t) => {
    const who = await w.caller(A, [{ role: 'mentor' }])
    const stale = await login(app, who.username)
    const sid = (JSON.parse(Buffer.from(stale.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string }).sid
    await database.db.execute(sql`update refresh_tokens set expires_at = now() - interval '1 day' where session_id = ${sid}`)
    const items = (await injectAs(app, who.token, { method: 'GET', url: SESSIONS })).json().items as Array<{ id: string }>
    t.same(items.map((i) => i.id).includes(sid), false)
    t.equal(items.length, 1)
  })
})
