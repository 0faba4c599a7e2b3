import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from './helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../src/db/database.js'
import { createDistrictStaff, setUpSchool } from '../src/setup/install.js'
import { buildTestApp, rid } from './helpers/app.js'

const LOGIN = '/api/v1/auth/login'

t.test('setUpSchool: a new district, school and first admin who can sign in; a second run for the school changes nothing', async (t) => {
  const { app, database } = await buildTestApp(t)
  const code = `S${rid()}`
  const d = `D${rid()}`
  const first = await setUpSchool(database, {
    districtCode: d, districtName: '测试区', schoolCode: code, schoolName: '第一中学', stage: 'junior',
    adminUsername: `admin.${rid()}`, adminDisplayName: '张老师',
  })
  t.ok(first.districtCreated, 'district created')
  t.match(first.generatedPassword, /^[A-Za-z2-9]{16}$/, 'a generated one-time password')

  const login = await app.inject({ method: 'POST', url: LOGIN, payload: { username: first.username, password: first.generatedPassword } })
  t.equal(login.statusCode, 200, 'the new admin signs in')
  t.same(login.json().user.roles.map((r: { role: string }) => r.role), ['school_admin'])

  const again = setUpSchool(database, {
    districtCode: d, schoolCode: code, schoolName: '另一个名字', stage: 'junior',
    adminUsername: `admin.${rid()}`, adminDisplayName: '李老师', adminPassword: 'A-long-password-1',
  })
  await t.rejects(again, { name: 'SetupError', code: 'school_exists' })
  const counts = await queryRows<{ schools: number; users: number }>(database.db, sql`
    select (select count(*)::int from schools where code = ${code}) as schools,
           (select count(*)::int from users where school_id = ${first.schoolId}) as users`)
  t.same(counts[0], { schools: 1, users: 1 }, 'nothing written by the refused run')

  const audit = await queryRows<{ resource: string }>(database.db, sql`select resource from audit_log where actor_roles = 'setup' order by seq`)
  t.same(audit.map((r) => r.resource), ['district', 'school', 'user'], 'set-up is audited')
})

t.test('setUpSchool: a second school joins the existing district; an unknown district needs a name; bad input is refused', async (t) => {
  const { database } = await buildTestApp(t)
  const d = `D${rid()}`
  const a = await setUpSchool(database, { districtCode: d, districtName: '区', schoolCode: `S${rid()}`, schoolName: '一中', stage: 'senior', adminUsername: `a.${rid()}`, adminDisplayName: '甲', adminPassword: 'A-long-password-1' })
  const b = await setUpSchool(database, { districtCode: d, schoolCode: `S${rid()}`, schoolName: '二中', stage: 'senior', adminUsername: `b.${rid()}`, adminDisplayName: '乙', adminPassword: 'A-long-password-1' })
  t.equal(b.districtId, a.districtId, 'same district')
  t.notOk(b.districtCreated)
  t.equal(b.generatedPassword, null, 'a given password is not echoed')
  await t.rejects(setUpSchool(database, { districtCode: `D${rid()}`, schoolCode: `S${rid()}`, schoolName: '三中', stage: 'senior', adminUsername: `c.${rid()}`, adminDisplayName: '丙' }), /区名称|give its name/)
  await t.rejects(setUpSchool(database, { districtCode: d, schoolCode: `S${rid()}`, schoolName: '四中', stage: 'senior', adminUsername: `d.${rid()}`, adminDisplayName: '丁', adminPassword: 'short' }), /至少 12/)
  await t.rejects(setUpSchool(database, { districtCode: d, schoolCode: `S${rid()}`, schoolName: '五中', stage: 'senior', adminUsername: a.username, adminDisplayName: '戊' }), { name: 'SetupError', code: 'username_taken' })
})

t.test('createDistrictStaff: scoped to one existing district', async (t) => {
  const { app, database } = await buildTestApp(t)
  const d = `D${rid()}`
  const school = await setUpSchool(database, { districtCode: d, districtName: '区', schoolCode: `S${rid()}`, schoolName: '一中', stage: 'primary', adminUsername: `a.${rid()}`, adminDisplayName: '甲', adminPassword: 'A-long-password-1' })
  await t.rejects(createDistrictStaff(database, { districtCode: 'nope', username: `x.${rid()}`, displayName: '乙' }), { name: 'SetupError', code: 'district_missing' })
  const staff = await createDistrictStaff(database, { districtCode: d, username: `dist.${rid()}`, displayName: '李老师', password: 'A-long-password-1' })
  t.equal(staff.districtId, school.districtId)
  const login = await app.inject({ method: 'POST', url: LOGIN, payload: { username: staff.username, password: 'A-long-password-1' } })
  t.equal(login.statusCode, 200)
  t.same(login.json().user.roles.map((r: { role: string; districtId?: string }) => [r.role, r.districtId]), [['district_staff', school.districtId]])
})

function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, ...rest } = process.env
  return rest
}

// The command itself, unattended, on an embedded data folder of its own.
t.test('a new production installation: the first start says to run setup; npm run setup unattended with flags refuses to run twice for one school', { skip: process.env.TEST_DATABASE_URL ? 'runs on the embedded database only' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xinan-setup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const root = resolve(import.meta.dirname, '..')
  const run = () => spawnSync(process.execPath, ['--import=tsx', 'scripts/setup.ts',
    '--district-code', '420704', '--district-name', '鄂城区', '--school-code', 'S001', '--school-name', '鄂城区第一中学',
    '--stage', 'junior', '--admin-username', 'admin.s001', '--admin-name', '张老师'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    env: { ...withoutDatabaseUrl(), DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' },
  })
  // A first start in production with no school says what to run.
  const server = spawn(process.execPath, ['--import=tsx', 'src/server.ts'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...withoutDatabaseUrl(), DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', PORT: '0', JOBS_ENABLED: 'false' },
  })
  let out = ''
  server.stdout.on('data', (b: Buffer) => { out += String(b) })
  const said = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 120_000)
    server.stdout.on('data', () => { if (out.includes('npm run setup')) { clearTimeout(timer); resolve(true) } })
    server.on('exit', () => { clearTimeout(timer); resolve(false) })
  })
  t.ok(said, 'the first start tells the operator to run npm run setup')
  t.match(out, /XinAn 心安: http:\/\/127\.0\.0\.1:\d+\//, 'the banner gives the web address')
  t.notMatch(out, /API docs/, 'no docs address where production serves none')
  const exited = new Promise((resolve) => server.on('exit', resolve))
  server.kill('SIGTERM')
  await exited

  const first = run()
  t.equal(first.status, 0, first.stderr)
  t.match(first.stdout, /admin\.s001/)
  t.match(first.stdout, /一次性密码 one-time password: [A-Za-z2-9]{16}/)
  const second = run()
  t.equal(second.status, 1, 'the second run is refused')
  t.match(second.stderr, /已经设置过/)
})
