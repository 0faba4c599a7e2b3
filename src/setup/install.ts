import { eq, sql } from 'drizzle-orm'
import { districts, schools, users, userRoles } from '../../db/schema/index.js'
import { appendAudit } from '../audit/audit.js'
import { queryRows, type Database, type Tx } from '../db/database.js'
import { hashPassword, oneTimePassword } from '../modules/auth/password.js'

/** School stages as the schools table stores them, with the words a set-up person reads. */
export const SCHOOL_STAGES = {
  primary: '小学',
  junior: '初中',
  senior: '高中',
  nine_year: '九年一贯制',
  complete: '完全中学（初中+高中）',
} as const
export type SchoolStage = keyof typeof SCHOOL_STAGES

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,64}$/
/** A first password set by whoever installs XinAn: long, because it opens a whole school's roster. */
export const MIN_PASSWORD_LENGTH = 12

export class SetupError extends Error {
  constructor(readonly code: 'school_exists' | 'username_taken' | 'district_missing' | 'invalid', message: string) {
    super(message)
    this.name = 'SetupError'
  }
}

export interface SchoolSetup {
  districtCode: string
  /** Needed only when the district does not exist yet. */
  districtName?: string | undefined
  schoolCode: string
  schoolName: string
  stage: SchoolStage
  adminUsername: string
  adminDisplayName: string
  /** When absent, a random one-time password is generated and returned. */
  adminPassword?: string | undefined
}

export interface DistrictStaffSetup {
  districtCode: string
  username: string
  displayName: string
  password?: string | undefined
}

export interface CreatedAccount {
  districtId: string
  schoolId: string | null
  userId: string
  username: string
  /** Set only when the password was generated here: print it once, it is stored nowhere. */
  generatedPassword: string | null
  districtCreated: boolean
}

/** 16 characters from an alphabet without look-alikes (0/O, 1/l/I), easy to read aloud. */
export function generatePassword(): string {
  return oneTimePassword()
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new SetupError('invalid', message)
}

function checkPassword(password: string | undefined): void {
  if (password !== undefined) {
    check(password.length >= MIN_PASSWORD_LENGTH, `密码至少 ${MIN_PASSWORD_LENGTH} 个字符 / the password needs at least ${MIN_PASSWORD_LENGTH} characters`)
  }
}

function checkAccount(username: string, displayName: string): void {
  check(USERNAME_PATTERN.test(username), '用户名只能用 3–64 个字母、数字、点、下划线或连字符 / username: 3–64 letters, digits, . _ -')
  check(displayName.trim().length > 0 && displayName.length <= 50, '姓名必填，最多 50 字 / display name: 1–50 characters')
}

async function usernameFree(tx: Tx, username: string): Promise<void> {
  const taken = await tx.select({ id: users.id }).from(users).where(eq(sql`lower(${users.username})`, username.toLowerCase())).limit(1)
  if (taken.length > 0) throw new SetupError('username_taken', `用户名 ${username} 已被使用 / username ${username} is taken`)
}

/**
 * Creates (or reuses) the district, creates the school and its first school administrator,
 * in one transaction with its audit rows. Refuses a school code that already exists, so
 * running set-up twice for one school changes nothing.
 */
export async function setUpSchool(database: Database, input: SchoolSetup): Promise<CreatedAccount> {
  check(/^[\w.-]{1,32}$/.test(input.districtCode), '区代码：1–32 个字母、数字、点、下划线或连字符 / district code: 1–32 letters, digits, . _ -')
  check(/^[\w.-]{1,32}$/.test(input.schoolCode), '学校代码：1–32 个字母、数字、点、下划线或连字符 / school code: 1–32 letters, digits, . _ -')
  check(input.schoolName.trim().length > 0 && input.schoolName.length <= 100, '学校名称必填，最多 100 字 / school name: 1–100 characters')
  check(input.stage in SCHOOL_STAGES, `学段只能是 ${Object.keys(SCHOOL_STAGES).join(' / ')} / stage must be one of ${Object.keys(SCHOOL_STAGES).join(', ')}`)
  checkAccount(input.adminUsername, input.adminDisplayName)
  checkPassword(input.adminPassword)
  const generated = input.adminPassword === undefined ? generatePassword() : null
  const passwordHash = await hashPassword(input.adminPassword ?? generated!)

  return database.db.transaction(async (tx) => {
    // Two set-up runs at once for one school: the second waits here and then sees the first.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('xinan-setup'))`)
    const existing = await tx.select({ id: schools.id }).from(schools).where(eq(schools.code, input.schoolCode)).limit(1)
    if (existing.length > 0) {
      throw new SetupError('school_exists', `学校代码 ${input.schoolCode} 已经设置过，未做任何更改 / school ${input.schoolCode} is already set up; nothing was changed`)
    }
    await usernameFree(tx, input.adminUsername)

    let district = (await tx.select({ id: districts.id }).from(districts).where(eq(districts.code, input.districtCode)).limit(1))[0]
    const districtCreated = !district
    if (!district) {
      const name = input.districtName?.trim()
      check(!!name && name.length <= 100, `区 ${input.districtCode} 还不存在：请给出区名称 / district ${input.districtCode} does not exist yet: give its name`)
      district = (await tx.insert(districts).values({ code: input.districtCode, name }).returning({ id: districts.id }))[0]!
    }
    const school = (await tx.insert(schools).values({
      districtId: district.id, code: input.schoolCode, name: input.schoolName.trim(), stage: input.stage,
    }).returning({ id: schools.id }))[0]!
    const user = (await tx.insert(users).values({
      username: input.adminUsername, passwordHash, displayName: input.adminDisplayName.trim(),
      schoolId: school.id, districtId: district.id,
      // A printed one-time password has been seen on the installer's screen: change it at first sign-in.
      mustChangePassword: generated !== null,
    }).returning({ id: users.id }))[0]!
    await tx.insert(userRoles).values({ userId: user.id, role: 'school_admin', schoolId: school.id })

    const base = { actorId: null, roles: 'setup', outcome: 'ok' as const, requestId: null }
    if (districtCreated) await appendAudit(tx, { ...base, action: 'C', resource: 'district', recordIds: [district.id] })
    await appendAudit(tx, { ...base, action: 'C', resource: 'school', recordIds: [school.id], schoolId: school.id })
    await appendAudit(tx, { ...base, action: 'C', resource: 'user', recordIds: [user.id], fieldGroups: ['role:school_admin'], schoolId: school.id })
    return {
      districtId: district.id, schoolId: school.id, userId: user.id, username: input.adminUsername,
      generatedPassword: generated, districtCreated,
    }
  })
}

/** A district staff account, scoped to one existing district (it reads that district's releases only). */
export async function createDistrictStaff(database: Database, input: DistrictStaffSetup): Promise<CreatedAccount> {
  checkAccount(input.username, input.displayName)
  checkPassword(input.password)
  const generated = input.password === undefined ? generatePassword() : null
  const passwordHash = await hashPassword(input.password ?? generated!)
  return database.db.transaction(async (tx) => {
    const district = (await tx.select({ id: districts.id }).from(districts).where(eq(districts.code, input.districtCode)).limit(1))[0]
    if (!district) throw new SetupError('district_missing', `区代码 ${input.districtCode} 不存在 / no district with code ${input.districtCode}`)
    await usernameFree(tx, input.username)
    const user = (await tx.insert(users).values({
      username: input.username, passwordHash, displayName: input.displayName.trim(), schoolId: null, districtId: district.id,
      mustChangePassword: generated !== null,
    }).returning({ id: users.id }))[0]!
    await tx.insert(userRoles).values({ userId: user.id, role: 'district_staff', districtId: district.id })
    await appendAudit(tx, {
      actorId: null, roles: 'setup', outcome: 'ok', requestId: null,
      action: 'C', resource: 'user', recordIds: [user.id], fieldGroups: ['role:district_staff'],
    })
    return { districtId: district.id, schoolId: null, userId: user.id, username: input.username, generatedPassword: generated, districtCreated: false }
  })
}

/** Whether any school exists: a production start with none tells the operator to run set-up. */
export async function hasAnySchool(database: Database): Promise<boolean> {
  return (await queryRows(database.db, sql`select 1 from schools limit 1`)).length > 0
}
