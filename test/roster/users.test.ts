import t from '../helpers/tap.js'
import { and, eq } from 'drizzle-orm'
import { authSessions, notifications, userRoles, users } from '../../db/schema/index.js'
import { policies } from '../../policies/index.js'
import { PolicyRegistry } from '../../src/access/engine.js'
import { caseReadingRoles } from '../../src/modules/roster/case-access-grants.js'
import { injectAs, login } from '../helpers/app.js'
import { rosterWorld } from './fixtures.js'

t.test('staff accounts and roles', async (t) => {
  const w = await rosterWorld()
  const { app, A, B, admin, adminB, psych, homeroom, monitor, district, call } = w
  const PASSWORD = 'Initial-pass-2026'

  t.test('admin creates an account with roles; it can log in; the hash never leaves', async (t) => {
    const before = await w.auditCount()
    const res = await call(admin, 'POST', '/api/v1/users', {
      username: 'teacher.li', displayName: '李老师', password: PASSWORD,
      roles: [{ role: 'homeroom_teacher', classId: A.classIds[1] }, { role: 'mentor' }],
    })
    t.equal(res.statusCode, 201)
    const u = res.json()
    t.match(u, { username: 'teacher.li', displayName: '李老师', status: 'active', locale: 'zh-CN', schoolId: A.schoolId, districtId: A.districtId })
    t.notOk('passwordHash' in u)
    t.notMatch(res.body, /argon2|Initial-pass/)
    t.equal(await w.auditCount(), before + 1, 'account and roles: one audit row')
    const last = await w.lastAudit()
    t.match(last, { action: 'C', resource: 'users' })
    t.equal(last.record_ids[0], u.id)
    t.equal(last.record_ids.length, 3, 'the user and both grants, by id')

    const stored = (await w.database.db.select().from(users).where(eq(users.id, u.id)))[0]!
    t.match(stored.passwordHash, /^\$argon2id\$/)
    const first = await login(app, 'teacher.li', PASSWORD)
    t.same(first.user.id, u.id)
    // The admin chose the password: the teacher replaces it before anything else works.
    const changed = await injectAs(app, first.accessToken, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: PASSWORD, newPassword: 'Own-password-2026' } })
    t.equal(changed.statusCode, 200, 'the initial password is changed at first sign-in')
    const session = changed.json() as { accessToken: string }
    const roles = await call(admin, 'GET', `/api/v1/users/${u.id}/roles`)
    t.equal(roles.statusCode, 200)
    t.same(roles.json().items.map((r: { role: string; classId: string | null }) => [r.role, r.classId]).sort(), [['homeroom_teacher', A.classIds[1]], ['mentor', null]])
    // The new homeroom teacher reads their class's students at once.
    const mine = await injectAs(app, session.accessToken, { method: 'GET', url: '/api/v1/classes' })
    t.same(mine.json().items.map((c: { id: string }) => c.id), [A.classIds[1]])
  })

  t.test('password strength, duplicates, bad grants', async (t) => {
    const weak = await call(admin, 'POST', '/api/v1/users', { username: 'weak.one', displayName: '弱', password: 'short' })
    t.equal(weak.statusCode, 400)
    t.equal(weak.json().code, 'weak_password')
    const dup = await call(admin, 'POST', '/api/v1/users', { username: admin.username, displayName: '重复', password: PASSWORD })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'duplicate')
    t.same(dup.json().details, { fields: ['username'] })
    const districtRole = await call(admin, 'POST', '/api/v1/users', { username: 'd.one', displayName: '区', password: PASSWORD, roles: [{ role: 'district_staff' }] })
    t.equal(districtRole.statusCode, 400, 'district staff cannot be granted by a school')
    const noClass = await call(admin, 'POST', '/api/v1/users', { username: 'hr.one', displayName: '班', password: PASSWORD, roles: [{ role: 'homeroom_teacher' }] })
    t.equal(noClass.statusCode, 400)
    t.equal(noClass.json().code, 'role_needs_class')
    const foreignClass = await call(admin, 'POST', '/api/v1/users', { username: 'hr.two', displayName: '班', password: PASSWORD, roles: [{ role: 'peer_monitor', classId: B.classIds[0] }] })
    t.equal(foreignClass.statusCode, 404, 'a class of another school does not exist here')
    t.equal((await w.database.db.select().from(users).where(eq(users.username, 'hr.two'))).length, 0, 'no account was made')
    const classForMentor = await call(admin, 'POST', '/api/v1/users', { username: 'm.one', displayName: '导', password: PASSWORD, roles: [{ role: 'mentor', classId: A.classIds[0] }] })
    t.equal(classForMentor.statusCode, 400)
    t.equal(classForMentor.json().code, 'role_takes_no_class')
    const extra = await call(admin, 'POST', '/api/v1/users', { username: 'x.one', displayName: 'x', password: PASSWORD, schoolId: B.schoolId })
    t.equal(extra.statusCode, 400)
    t.same(extra.json().details[0].keys, ['schoolId'])
    const hash = await call(admin, 'POST', '/api/v1/users', { username: 'x.two', displayName: 'x', password: PASSWORD, passwordHash: 'x' })
    t.equal(hash.statusCode, 400)
  })

  t.test('list and read: own school only; psychology teachers see names, not account metadata', async (t) => {
    const list = await call(admin, 'GET', '/api/v1/users?limit=500')
    t.equal(list.statusCode, 200)
    const ids = list.json().items.map((u: { id: string }) => u.id)
    t.ok(ids.includes(psych.id))
    t.notOk(ids.includes(adminB.id), 'no account of another school')
    t.notOk(ids.includes(district.id), 'no district account')
    t.ok(list.json().items.every((u: Record<string, unknown>) => !('passwordHash' in u)))
    const before = await w.auditCount()
    const one = await call(admin, 'GET', `/api/v1/users/${psych.id}`)
    t.equal(one.statusCode, 200)
    t.type(one.json().createdAt, 'string')
    t.equal(await w.auditCount(), before + 1, 'reading an account is audited')
    const missing = await call(admin, 'GET', '/api/v1/users/00000000-0000-4000-8000-000000000000')
    const foreign = await call(admin, 'GET', `/api/v1/users/${adminB.id}`)
    t.equal(foreign.statusCode, 404)
    t.equal(foreign.json().message, missing.json().message)
    t.equal((await call(admin, 'GET', `/api/v1/users/${district.id}`)).statusCode, 404)

    const byPsych = await call(psych, 'GET', `/api/v1/users?q=${encodeURIComponent(homeroom.username)}`)
    t.equal(byPsych.statusCode, 200)
    t.same(Object.keys(byPsych.json().items[0]).sort(), ['displayName', 'districtId', 'id', 'locale', 'schoolId', 'status', 'username'])
    t.equal((await call(psych, 'GET', `/api/v1/users/${homeroom.id}/roles`)).statusCode, 404, 'psychology teachers do not read grants')
    t.equal((await call(psych, 'PATCH', `/api/v1/users/${homeroom.id}`, { displayName: 'x' })).statusCode, 404)
    t.equal((await call(homeroom, 'GET', '/api/v1/users')).statusCode, 403)
    t.equal((await call(monitor, 'GET', `/api/v1/users/${homeroom.id}`)).statusCode, 404)
    t.equal((await call(admin, 'GET', '/api/v1/users?status=disabled')).json().total, 0)
  })

  t.test('disabling an account ends its sessions at once; an admin cannot disable themselves', async (t) => {
    const u = await w.caller(A, [{ role: 'psych_teacher' }])
    t.equal((await injectAs(app, u.token, { method: 'GET', url: '/api/v1/students' })).statusCode, 200)
    const before = await w.auditCount()
    const res = await call(admin, 'PATCH', `/api/v1/users/${u.id}`, { status: 'disabled', displayName: '已停用老师', locale: 'en' })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: 'disabled', displayName: '已停用老师', locale: 'en' })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'U', resource: 'users', record_ids: [u.id] })
    t.equal((await injectAs(app, u.token, { method: 'GET', url: '/api/v1/students' })).statusCode, 401, 'the old token stops working')
    const sessions = await w.database.db.select().from(authSessions).where(eq(authSessions.userId, u.id))
    t.ok(sessions.length > 0 && sessions.every((s) => s.revokedAt !== null && s.revokedReason === 'disabled'))
    const relogin = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: 'Test-password-1234' } })
    t.equal(relogin.statusCode, 401)

    const self = await call(admin, 'PATCH', `/api/v1/users/${admin.id}`, { status: 'disabled' })
    t.equal(self.statusCode, 409)
    t.equal(self.json().code, 'cannot_disable_self')
    t.equal((await call(adminB, 'PATCH', `/api/v1/users/${u.id}`, { status: 'active' })).statusCode, 404)
    t.equal((await w.database.db.select().from(users).where(eq(users.id, u.id)))[0]!.status, 'disabled')
    const forbidden = await call(admin, 'PATCH', `/api/v1/users/${u.id}`, { username: 'renamed' })
    t.equal(forbidden.statusCode, 400)
  })

  t.test('grant and revoke roles; revocation bites on the next request', async (t) => {
    const u = await w.caller(A, [{ role: 'mentor' }])
    t.equal((await injectAs(app, u.token, { method: 'GET', url: '/api/v1/classes' })).statusCode, 403)
    let before = await w.auditCount()
    const g = await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'psych_teacher' })
    t.equal(g.statusCode, 201)
    t.match(g.json(), { userId: u.id, role: 'psych_teacher', classId: null, schoolId: A.schoolId })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'C', resource: 'user_roles', record_ids: [g.json().id] })
    t.equal((await injectAs(app, u.token, { method: 'GET', url: '/api/v1/classes' })).statusCode, 200, 'the new role works on the next request')

    t.equal((await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'psych_teacher' })).statusCode, 409, 'same grant twice')
    t.equal((await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'district_staff' })).statusCode, 400)
    t.equal((await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'homeroom_teacher', classId: B.classIds[0] })).statusCode, 404)
    t.equal((await call(admin, 'POST', `/api/v1/users/${adminB.id}/roles`, { role: 'mentor' })).statusCode, 404, 'a user of another school')
    t.equal((await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'mentor', schoolId: B.schoolId })).statusCode, 400)

    before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/user-roles/${g.json().id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'D', resource: 'user_roles', record_ids: [g.json().id] })
    t.equal((await injectAs(app, u.token, { method: 'GET', url: '/api/v1/classes' })).statusCode, 403, 'revoked at once')
    t.equal((await call(admin, 'DELETE', `/api/v1/user-roles/${g.json().id}`)).statusCode, 404)

    const theirGrant = (await w.database.db.select().from(userRoles).where(eq(userRoles.userId, adminB.id)))[0]!
    t.equal((await call(admin, 'DELETE', `/api/v1/user-roles/${theirGrant.id}`)).statusCode, 404)
    const myAdmin = (await w.database.db.select().from(userRoles).where(eq(userRoles.userId, admin.id)))[0]!
    const own = await call(admin, 'DELETE', `/api/v1/user-roles/${myAdmin.id}`)
    t.equal(own.statusCode, 409)
    t.equal(own.json().code, 'cannot_remove_own_admin')
    t.equal((await w.database.db.select().from(userRoles).where(eq(userRoles.id, theirGrant.id))).length, 1)
  })

  t.test('an admin cannot grant itself a role that reads case content', async (t) => {
    t.same([...caseReadingRoles(new PolicyRegistry(policies))].sort(), ['psych_teacher'], 'derived from the policies: school-wide readers of sensitive records')
    const before = await w.auditCount()
    const self = await call(admin, 'POST', `/api/v1/users/${admin.id}/roles`, { role: 'psych_teacher' })
    t.equal(self.statusCode, 403)
    t.equal(self.json().code, 'self_grant_forbidden')
    t.equal(self.json().message, '不能给自己授予可查看个案内容的角色（心理教师），须由另一位管理员授予')
    const held = await w.database.db.select().from(userRoles).where(eq(userRoles.userId, admin.id))
    t.same(held.map((r) => r.role), ['school_admin'], 'no grant was written')
    t.equal(await w.auditCount(), before + 1, 'the refused attempt is audited')
    t.match(await w.lastAudit(), { resource: 'user_roles', outcome: 'denied', record_ids: [admin.id] })
    t.equal((await injectAs(app, admin.token, { method: 'GET', url: '/api/v1/cases' })).statusCode, 403, 'still no case access')
    const en = await call(admin, 'POST', `/api/v1/users/${admin.id}/roles`, { role: 'psych_teacher' }, { 'accept-language': 'en' })
    t.equal(en.json().message, 'You cannot grant yourself a role that reads case content (psychology teacher); another admin must grant it')

    // Roles that do not read the school's casework stay self-grantable (a small school's admin also mentors).
    const mentorRole = await call(admin, 'POST', `/api/v1/users/${admin.id}/roles`, { role: 'mentor' })
    t.equal(mentorRole.statusCode, 201)
    t.equal((await call(admin, 'DELETE', `/api/v1/user-roles/${mentorRole.json().id}`)).statusCode, 204)
  })

  t.test('granting case access to another account notifies the psychology teachers and other admins; revoking is audited', async (t) => {
    const otherAdmin = await w.caller(A, [{ role: 'school_admin' }])
    const u = await w.caller(A, [{ role: 'mentor' }])
    const notes = (userId: string) => w.database.db.select().from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, 'case_role_granted')))
    const psychBefore = (await notes(psych.id)).length
    const g = await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'psych_teacher' })
    t.equal(g.statusCode, 201)
    const toPsych = await notes(psych.id)
    t.equal(toPsych.length, psychBefore + 1, 'the existing psychology teacher is told')
    const n = toPsych.find((x) => (x.params as { grantId?: string }).grantId === g.json().id)!
    t.ok(n, 'the notification names the grant')
    t.equal(n.refId, u.id, 'and links to the account that got case access')
    t.equal(n.schoolId, A.schoolId)
    t.same(n.params, { role: 'psych_teacher', grantId: g.json().id, grantedBy: admin.id })
    t.equal((await notes(otherAdmin.id)).length, 1, 'another admin of the school is told')
    t.equal((await notes(admin.id)).length, 0, 'not the admin who granted it')
    t.equal((await notes(u.id)).length, 0, 'not the new holder')
    t.equal((await notes(adminB.id)).length, 0, 'nobody of another school')
    const inbox = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/notifications?limit=100' })
    t.ok(inbox.json().items.some((x: { kind: string; refId: string }) => x.kind === 'case_role_granted' && x.refId === u.id), 'the psychology teacher sees it in the app')

    // A role without case access is not announced.
    const m = await call(admin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'homeroom_teacher', classId: A.classIds[0] })
    t.equal(m.statusCode, 201)
    t.equal((await notes(psych.id)).length, psychBefore + 1)

    const before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/user-roles/${g.json().id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'D', resource: 'user_roles', record_ids: [g.json().id], outcome: 'ok' })
    // Another admin may grant it back: the rule is about one's own account, not the role.
    t.equal((await call(otherAdmin, 'POST', `/api/v1/users/${u.id}/roles`, { role: 'psych_teacher' })).statusCode, 201)
    t.equal((await notes(admin.id)).length, 1, 'this time the first admin is told')
  })

  t.test('a new account may carry case access (a school needs its first psychology teacher), announced the same way', async (t) => {
    const psychBefore = (await w.database.db.select().from(notifications)
      .where(and(eq(notifications.userId, psych.id), eq(notifications.kind, 'case_role_granted')))).length
    const res = await call(admin, 'POST', '/api/v1/users', {
      username: `xinli.${Date.now()}`, displayName: '王老师', password: PASSWORD, roles: [{ role: 'psych_teacher' }, { role: 'mentor' }],
    })
    t.equal(res.statusCode, 201)
    const rows = await w.database.db.select().from(notifications)
      .where(and(eq(notifications.userId, psych.id), eq(notifications.kind, 'case_role_granted')))
    t.equal(rows.length, psychBefore + 1, 'one notification for the one case role')
    t.ok(rows.some((r) => r.refId === res.json().id))
  })

  t.test('messages follow the request language', async (t) => {
    const res = await call(admin, 'PATCH', `/api/v1/users/${admin.id}`, { status: 'disabled' }, { 'accept-language': 'en' })
    t.equal(res.json().message, 'You cannot disable your own account')
  })
})
