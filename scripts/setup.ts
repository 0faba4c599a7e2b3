/**
 * `npm run setup`: the first step of a real installation. Creates the district (when new),
 * a school and its first school administrator in the configured database (DATABASE_URL, or
 * the embedded one in DATA_DIR); `--district-staff` creates a district staff account
 * instead (in a terminal without flags it asks which). Asks for what is missing when run in
 * a terminal; with every value given as a flag it runs unattended. Refuses a school that is
 * already set up, and a username that is taken.
 *
 *   npm run setup
 *   npm run setup -- --district-code 420704 --district-name 鄂城区 --school-code S001 \
 *     --school-name 鄂城区第一中学 --stage junior --admin-username admin.s001 --admin-name 张老师
 *   npm run setup -- --district-staff --district-code 420704 --username district.li --name 李老师
 *
 * Without --password a one-time password is generated and printed once; its owner must change
 * it at first sign-in before anything else works. Exit status: 0 done,
 * 1 refused or failed (the reason is printed), 2 bad flags.
 */
import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { createInterface } from 'node:readline/promises'
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { districts } from '../db/schema/index.js'
import {
  SCHOOL_STAGES, SetupError, createDistrictStaff, setUpSchool, type SchoolStage,
} from '../src/setup/install.js'

const usage = `用法 usage:
  npm run setup                                  交互式 (interactive)
  npm run setup -- --district-code C [--district-name 名称] --school-code C --school-name 名称
                   [--stage ${Object.keys(SCHOOL_STAGES).join('|')}] --admin-username U --admin-name 姓名 [--password P]
  npm run setup -- --district-staff --district-code C --username U --name 姓名 [--password P]`

let args: ReturnType<typeof parse>
function parse() {
  return parseArgs({
    options: {
      'district-code': { type: 'string' },
      'district-name': { type: 'string' },
      'school-code': { type: 'string' },
      'school-name': { type: 'string' },
      stage: { type: 'string' },
      'admin-username': { type: 'string' },
      'admin-name': { type: 'string' },
      'district-staff': { type: 'boolean', default: false },
      username: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
}
try {
  args = parse()
} catch (err) {
  console.error((err as Error).message)
  console.error(usage)
  process.exit(2)
}
if (args.values.help) {
  console.log(usage)
  process.exit(0)
}

const v = args.values
const interactive = process.stdin.isTTY === true
const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : null

/** A flag's value, or the answer to a question in a terminal; unattended runs must give the flag. */
async function ask(flag: string, given: string | undefined, question: string, fallback?: string): Promise<string> {
  if (given !== undefined && given.trim() !== '') return given.trim()
  if (!rl) {
    if (fallback !== undefined) return fallback
    console.error(`缺少 --${flag}（非交互运行时必须给出）/ missing --${flag} (required when not run in a terminal)`)
    console.error(usage)
    process.exit(2)
  }
  for (;;) {
    const answer = (await rl.question(fallback ? `${question} [${fallback}]: ` : `${question}: `)).trim()
    if (answer) return answer
    if (fallback !== undefined) return fallback
  }
}

const config = loadConfig()
const stageList = Object.entries(SCHOOL_STAGES).map(([k, label]) => `${k}=${label}`).join(', ')

/**
 * In a terminal with no flag saying what to create, ask: a school with its first admin, or a
 * district staff account for an existing district. Unattended runs say it with --district-staff.
 */
async function wantsDistrictStaff(): Promise<boolean> {
  if (v['district-staff']) return true
  const schoolFlags = ['school-code', 'school-name', 'admin-username', 'admin-name'] as const
  if (!rl || schoolFlags.some((f) => v[f] !== undefined)) return false
  for (;;) {
    const answer = (await rl.question('新建什么 what to create? 1 = 学校及其管理员 a school and its admin, 2 = 区教育局账号 a district staff account [1]: ')).trim()
    if (answer === '' || answer === '1') return false
    if (answer === '2') return true
  }
}

try {
  const districtStaff = await wantsDistrictStaff()
  const districtCode = await ask('district-code', v['district-code'], '区代码 district code（如行政区划代码 420704）')
  const database = await openAndMigrate(config)
  try {
    const exists = (await database.db.select({ id: districts.id }).from(districts).where(eq(districts.code, districtCode)).limit(1))[0]
    if (districtStaff) {
      // Say so before asking for the account: district staff join a district set up with its first school.
      if (!exists) throw new SetupError('district_missing', `区代码 ${districtCode} 不存在，请先设置该区的第一所学校 / no district with code ${districtCode}: set up its first school first`)
      const created = await createDistrictStaff(database, {
        districtCode,
        username: await ask('username', v.username, '区教育局账号用户名 username'),
        displayName: await ask('name', v.name, '姓名 name'),
        password: v.password,
      })
      report('区教育局账号 district staff account', created.username, created.generatedPassword)
    } else {
      const districtName = exists ? undefined : await ask('district-name', v['district-name'], '区名称 district name（新建）')
      const schoolCode = await ask('school-code', v['school-code'], '学校代码 school code')
      const schoolName = await ask('school-name', v['school-name'], '学校名称 school name')
      const stage = await ask('stage', v.stage, `学段 stage (${stageList})`, 'complete')
      const created = await setUpSchool(database, {
        districtCode, districtName, schoolCode, schoolName, stage: stage as SchoolStage,
        adminUsername: await ask('admin-username', v['admin-username'], '学校管理员用户名 admin username'),
        adminDisplayName: await ask('admin-name', v['admin-name'], '学校管理员姓名 admin name'),
        adminPassword: v.password,
      })
      if (created.districtCreated) console.log(`已创建区 created district ${districtCode}`)
      console.log(`已创建学校 created school ${schoolCode} ${schoolName}`)
      report('学校管理员 school administrator', created.username, created.generatedPassword)
    }
  } finally {
    await database.close()
  }
} catch (err) {
  if (err instanceof SetupError) {
    console.error(`未完成 not done: ${err.message}`)
    process.exit(1)
  }
  throw err
} finally {
  rl?.close()
}

function report(what: string, username: string, password: string | null): void {
  console.log(`已创建${what}: ${username}`)
  if (password) {
    // Printed once on purpose: the operator hands it over; it is stored only as a hash.
    console.log(`一次性密码 one-time password: ${password}`)
    console.log('首次登录后须先修改密码，才能使用其他功能 / it must be changed at first sign-in before anything else works.')
  }
  console.log(`网页端 web client: ${config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`}/`)
}
