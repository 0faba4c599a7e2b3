import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { queryRows } from '../../src/db/database.js'
import { confirmEpoch, epochState, expectEpoch, StaleActor, withActorTx } from '../../src/access/transaction.js'
import { loadActor } from '../../src/modules/auth/repository.js'
import { buildTestApp, createSchool, createUser, injectAs, login, TEST_PASSWORD } from '../helpers/app.js'
import { addStudent } from '../jobs/fixtures.js'

/**
 * A login's actor is kept in memory between its requests (plugins/auth.ts); every change to who
 * the actor is must still bite on the very next request. Each case first makes a request that
 * leaves the actor in memory, then changes something, then checks the very next request.
 */
const STUDENTS = '/api/v1/students?limit=1'
const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sid as string

t.test('a remembered actor: every change to who it is bites on the next request', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const admin = await createUser(database, school, [{ role: 'school_admin' }])
  const adminToken = (await login(app, admin.username)).accessToken
  const get = (token: string, url = STUDENTS) => injectAs(app, token, { method: 'GET', url })

  t.test('sign-out', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const { accessToken } = await login(app, u.username)
    t.equal((await get(accessToken)).statusCode, 200, 'works, and the actor is now remembered')
    t.equal((await get(accessToken)).statusCode, 200, 'works again from memory')
    t.equal((await injectAs(app, accessToken, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 204)
    t.equal((await get(accessToken)).statusCode, 401, 'the next request is refused')
  })

  t.test('password change ends the other logins', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const a = await login(app, u.username)
    const b = await login(app, u.username)
    t.equal((await get(b.accessToken)).statusCode, 200)
    const changed = await injectAs(app, a.accessToken, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: TEST_PASSWORD, newPassword: 'Another-password-5678' } })
    t.equal(changed.statusCode, 200)
    t.equal((await get(b.accessToken)).statusCode, 401, 'the other login is refused')
    t.equal((await get(a.accessToken)).statusCode, 401, 'and so is the one that changed it')
    t.equal((await get(changed.json().accessToken)).statusCode, 200, 'the new pair works')
  })

  t.test('an account disabled by the admin', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const { accessToken } = await login(app, u.username)
    t.equal((await get(accessToken)).statusCode, 200)
    const res = await injectAs(app, adminToken, { method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { status: 'disabled' } })
    t.equal(res.statusCode, 200)
    t.equal((await get(accessToken)).statusCode, 401)
  })

  t.test('an admin password reset: the account must change it first', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const { accessToken } = await login(app, u.username)
    t.equal((await get(accessToken)).statusCode, 200)
    t.equal((await injectAs(app, adminToken, { method: 'POST', url: `/api/v1/users/${u.id}/password-reset` })).statusCode, 200)
    t.ok([401, 403].includes((await get(accessToken)).statusCode), 'refused (login ended, or a password change required)')
  })

  t.test('登录设备: ending one login, then all the others', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const a = await login(app, u.username)
    const b = await login(app, u.username)
    const c = await login(app, u.username)
    for (const x of [a, b, c]) t.equal((await get(x.accessToken)).statusCode, 200)
    t.equal((await injectAs(app, a.accessToken, { method: 'DELETE', url: `/api/v1/auth/me/sessions/${sidOf(b.accessToken)}` })).statusCode, 204)
    t.equal((await get(b.accessToken)).statusCode, 401, 'the ended login is refused')
    t.equal((await get(c.accessToken)).statusCode, 200, 'another one still works')
    t.equal((await get(a.accessToken)).statusCode, 200, 'and the one that ended it')
    t.equal((await injectAs(app, a.accessToken, { method: 'POST', url: '/api/v1/auth/me/sessions/end-others' })).json().ended, 1)
    t.equal((await get(c.accessToken)).statusCode, 401, 'every other login is refused')
    t.equal((await get(a.accessToken)).statusCode, 200, 'the one that ended them works')
  })

  t.test('a role removed, then granted again', async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const { accessToken } = await login(app, u.username)
    t.equal((await get(accessToken)).statusCode, 200)
    const roles = (await injectAs(app, adminToken, { method: 'GET', url: `/api/v1/users/${u.id}/roles` })).json().items as Array<{ id: string; role: string }>
    const psych = roles.find((r) => r.role === 'psych_teacher')!
    t.equal((await injectAs(app, adminToken, { method: 'DELETE', url: `/api/v1/user-roles/${psych.id}` })).statusCode, 204)
    t.equal((await get(accessToken)).statusCode, 403, 'the next request no longer reaches the students')
    const denied = await queryRows<{ outcome: string; resource: string }>(database.db, sql`select outcome, resource from audit_log where actor_id = ${u.id} order by seq desc limit 1`)
    t.same(denied, [{ outcome: 'denied', resource: 'students' }], 'and the refusal is audited as any other')
    const granted = await injectAs(app, adminToken, { method: 'POST', url: `/api/v1/users/${u.id}/roles`, payload: { role: 'psych_teacher' } })
    t.equal(granted.statusCode, 201)
    t.equal((await get(accessToken)).statusCode, 200, 'the role granted works on the very next request')
  })

  t.test('a role removed while a write is on its way: nothing is written', async (t) => {
    const u = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }])
    const { accessToken } = await login(app, u.username)
    const student = await addStudent(database, school, school.classIds[0], '甲')
    const post = () => injectAs(app, accessToken, { method: 'POST', url: '/api/v1/talks/logs', payload: { studentId: student, talkDate: '2025-10-10', kind: 'other' } })
    t.equal((await post()).statusCode, 201, 'a first log, and the actor is remembered')
    // Changed behind the server's back (another process, a job): only the database knows.
    await database.db.execute(sql`delete from user_roles where user_id = ${u.id}`)
    t.equal((await post()).statusCode, 403, 'the next one is refused')
    const n = await queryRows<{ n: string }>(database.db, sql`select count(*) as n from talk_logs where teacher_id = ${u.id}`)
    t.equal(Number(n[0]!.n), 1, 'and wrote nothing')
  })

  t.test('district staff (no school: row-level security hides their own row)', async (t) => {
    const u = await createUser(database, school, [{ role: 'district_staff' }])
    const { accessToken } = await login(app, u.username)
    const url = '/api/v1/district/tables/staffing'
    const first = await get(accessToken, url)
    t.equal(first.statusCode, 200, 'works, remembered')
    t.equal((await get(accessToken, url)).statusCode, 200, 'works from memory: the check reads the epoch as the owner')
    await database.db.execute(sql`update users set status = 'disabled' where id = ${u.id}`)
    t.equal((await get(accessToken, url)).statusCode, 401)
  })
})

t.test('two servers on one database: a change made through one bites on the other', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const other = await buildApp({ config, database })
  await other.ready()
  t.teardown(() => other.close())
  const school = await createSchool(database)
  const admin = await createUser(database, school, [{ role: 'school_admin' }])
  const u = await createUser(database, school, [{ role: 'psych_teacher' }])
  const { accessToken } = await login(app, u.username)
  t.equal((await injectAs(other, accessToken, { method: 'GET', url: STUDENTS })).statusCode, 200, 'remembered by the other server')
  const adminToken = (await login(app, admin.username)).accessToken
  const roles = (await injectAs(app, adminToken, { method: 'GET', url: `/api/v1/users/${u.id}/roles` })).json().items as Array<{ id: string }>
  t.equal((await injectAs(app, adminToken, { method: 'DELETE', url: `/api/v1/user-roles/${roles[0]!.id}` })).statusCode, 204)
  t.equal((await injectAs(other, accessToken, { method: 'GET', url: STUDENTS })).statusCode, 403, 'the other server refuses at once')
  t.equal((await injectAs(app, accessToken, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 204)
  t.equal((await injectAs(other, accessToken, { method: 'GET', url: '/api/v1/notifications' })).statusCode, 401, 'a sign-out on one server ends the login on the other')
})

t.test('the auth epoch: what moves it, and what a stale actor may still do', async (t) => {
  const { database } = await buildTestApp(t)
  const { db } = database
  const school = await createSchool(database)
  const u = await createUser(database, school, [{ role: 'psych_teacher' }])
  const epoch = async () => String((await queryRows<{ e: string }>(db, sql`select auth_epoch as e from users where id = ${u.id}`))[0]!.e)
  const session = (await queryRows<{ id: string }>(db, sql`insert into auth_sessions (user_id) values (${u.id}) returning id`))[0]!.id
  const moves = async (what: string, change: () => Promise<unknown>, expected = true) => {
    const before = await epoch()
    await change()
    t.equal((await epoch()) !== before, expected, `${expected ? 'moved' : 'not moved'} by ${what}`)
  }
  await moves('a new login', () => db.execute(sql`insert into auth_sessions (user_id) values (${u.id})`), false)
  await moves('the locale', () => db.execute(sql`update users set locale = 'en' where id = ${u.id}`), false)
  await moves('the display name', () => db.execute(sql`update users set display_name = '新名字' where id = ${u.id}`))
  await moves('the password', () => db.execute(sql`update users set password_hash = 'x' where id = ${u.id}`))
  await moves('must change the password', () => db.execute(sql`update users set must_change_password = true where id = ${u.id}`))
  await moves('the status', () => db.execute(sql`update users set status = 'disabled' where id = ${u.id}`))
  await db.execute(sql`update users set status = 'active', must_change_password = false where id = ${u.id}`)
  await moves('a role granted', () => db.execute(sql`insert into user_roles (user_id, role, school_id) values (${u.id}, 'mentor', ${school.schoolId})`))
  await moves('a role changed', () => db.execute(sql`update user_roles set class_id = ${school.classIds[0]}, role = 'homeroom_teacher' where user_id = ${u.id} and role = 'mentor'`))
  await moves('a role removed', () => db.execute(sql`delete from user_roles where user_id = ${u.id} and role = 'homeroom_teacher'`))
  const other = (await queryRows<{ id: string }>(db, sql`insert into auth_sessions (user_id) values (${u.id}) returning id`))[0]!.id
  await moves('a login ended', () => db.execute(sql`update auth_sessions set revoked_at = now(), revoked_reason = 'logout' where id = ${other}`))
  await moves('an ended login touched again', () => db.execute(sql`update auth_sessions set revoked_reason = 'x' where id = ${other}`), false)
  await moves('a login deleted', () => db.execute(sql`delete from auth_sessions where id = ${other}`))

  // A stale actor: its transaction rolls back and nothing of it is used. The check travels with
  // the transaction's first statement (on the embedded database in the same call into
  // PostgreSQL), so what the function did is undone and its answer dropped.
  const loaded = (await loadActor(db, u.id, session))!
  const kept = { ...loaded }
  expectEpoch(kept, loaded.epoch)
  t.equal(await withActorTx(db, kept, async () => 'ran'), 'ran', 'a current actor runs')
  t.equal(epochState(kept), 'current')
  await db.execute(sql`update users set display_name = '又一个名字' where id = ${u.id}`)
  const stale = { ...loaded }
  expectEpoch(stale, loaded.epoch)
  let ran = false
  await t.rejects(withActorTx(db, stale, async (tx) => {
    await tx.execute(sql`update users set locale = 'zh-CN' where id = ${u.id}`)
    ran = true
    return 'read as the stale actor'
  }), StaleActor, 'what a stale actor read is not answered')
  const kept2 = (await queryRows<{ locale: string }>(db, sql`select locale from users where id = ${u.id}`))[0]!.locale
  t.equal(kept2, 'en', 'nothing a stale actor wrote remains')
  t.equal(ran, true, 'the function ran, and was undone')
  ran = false
  await t.rejects(withActorTx(db, stale, async () => { ran = true }), StaleActor, 'and every later transaction of the request refuses at once')
  t.equal(ran, false, 'without running anything')
  const unchecked = { ...loaded }
  expectEpoch(unchecked, loaded.epoch)
  t.equal(await confirmEpoch(db, unchecked), false, 'checked outside a transaction too')
})
