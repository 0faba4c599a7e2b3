import t from '../helpers/tap.js'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { createDistrictStaff, setUpSchool } from '../../src/setup/install.js'
import { sharedTestApp, injectAs, rid } from '../helpers/app.js'

const LOGIN = '/api/v1/auth/login'

t.test('set-up accounts: a printed one-time password must be changed at first sign-in; one the operator chose need not', async (t) => {
  const { app, database } = await sharedTestApp()
  const flag = async (id: string) => (await queryRows<{ f: boolean }>(database.db, sql`select must_change_password as f from users where id = ${id}`))[0]!.f
  const d = `D${rid()}`
  const chosen = await setUpSchool(database, { districtCode: d, districtName: '区', schoolCode: `S${rid()}`, schoolName: '一中', stage: 'junior', adminUsername: `a.${rid()}`, adminDisplayName: '甲', adminPassword: 'A-long-password-1' })
  t.equal(chosen.generatedPassword, null)
  t.equal(await flag(chosen.userId), false, 'the installer chose and typed it: no change forced')

  const printed = await setUpSchool(database, { districtCode: d, schoolCode: `S${rid()}`, schoolName: '二中', stage: 'junior', adminUsername: `b.${rid()}`, adminDisplayName: '乙' })
  t.match(printed.generatedPassword, /^[A-HJ-NP-Za-km-z2-9]{16}$/)
  t.equal(await flag(printed.userId), true, 'a printed password has been seen: it must be changed')
  const signIn = await app.inject({ method: 'POST', url: LOGIN, payload: { username: printed.username, password: printed.generatedPassword } })
  t.equal(signIn.statusCode, 200)
  t.equal(signIn.json().user.mustChangePassword, true)
  t.equal((await injectAs(app, signIn.json().accessToken, { method: 'GET', url: '/api/v1/users' })).json().code, 'password_change_required')

  const staff = await createDistrictStaff(database, { districtCode: d, username: `dist.${rid()}`, displayName: '李老师' })
  t.equal(await flag(staff.userId), true, 'a district staff account with a printed password too')
  const staffIn = await app.inject({ method: 'POST', url: LOGIN, payload: { username: staff.username, password: staff.generatedPassword } })
  const token = staffIn.json().accessToken as string
  t.equal((await injectAs(app, token, { method: 'GET', url: '/api/v1/district/releases' })).statusCode, 403, 'nothing before the change')
  const changed = await injectAs(app, token, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: staff.generatedPassword, newPassword: 'District-own-2026' } })
  t.equal(changed.statusCode, 200)
  t.same(changed.json().user.roles.map((r: { role: string; districtId: string | null; schoolId: string | null }) => [r.role, r.districtId, r.schoolId]),
    [['district_staff', chosen.districtId, null]], 'scoped to the one district, no school')

  await t.rejects(createDistrictStaff(database, { districtCode: d, username: staff.username.toUpperCase(), displayName: '重复' }),
    { name: 'SetupError', code: 'username_taken' }, 'a taken username (in any case) is refused')
  const count = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from users where lower(username) = lower(${staff.username})`)
  t.equal(Number(count[0]!.n), 1, 'nothing was written')
})

function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, ...rest } = process.env
  return rest
}

t.test('npm run setup -- --district-staff unattended: creates the account for an existing district, refuses it twice', { skip: process.env.TEST_DATABASE_URL ? 'runs on the embedded database only' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xinan-setup-staff-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const root = resolve(import.meta.dirname, '..', '..')
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import=tsx', 'scripts/setup.ts', ...args], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000,
    env: { ...withoutDatabaseUrl(), DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' },
  })
  const staff = ['--district-staff', '--district-code', '420704', '--username', 'district.li', '--name', '李老师']
  const early = run(...staff)
  t.equal(early.status, 1, 'no district yet: refused')
  t.match(early.stderr, /区代码 420704 不存在/)
  const school = run('--district-code', '420704', '--district-name', '鄂城区', '--school-code', 'S001', '--school-name', '鄂城区第一中学',
    '--stage', 'junior', '--admin-username', 'admin.s001', '--admin-name', '张老师', '--password', 'A-long-password-1')
  t.equal(school.status, 0, school.stderr)
  const first = run(...staff)
  t.equal(first.status, 0, first.stderr)
  t.match(first.stdout, /区教育局账号 district staff account: district\.li/)
  t.match(first.stdout, /一次性密码 one-time password: [A-Za-z2-9]{16}/)
  t.match(first.stdout, /首次登录后须先修改密码/)
  const again = run(...staff)
  t.equal(again.status, 1, 'the same username again: refused')
  t.match(again.stderr, /用户名 district\.li 已被使用/)
  const missing = run('--district-staff', '--district-code', '420704', '--name', '王老师')
  t.equal(missing.status, 2, 'unattended without --username: says which flag is missing')
  t.match(missing.stderr, /--username/)
})
