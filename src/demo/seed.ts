import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/database.js'
import {
  districts, schools, grades, classes, students, guardians, terms, holidays, users, userRoles,
} from '../../db/schema/index.js'
import { hashPassword } from '../modules/auth/password.js'
import type { Role } from '../access/roles.js'
import { demoExtensions, type DemoContext } from './extensions.js'
import { prepareNotesKeys, withNotesSchool } from '../crypto/notes-keys.js'
import './index.js'

/**
 * Demo data for a fresh installation: one district, one school (grades 4–12), ~300
 * synthetic students with guardians, this school year's calendar and six accounts, one
 * per role. Every name and phone number is made up by a seeded generator, so the same
 * data appears on every machine and none of it belongs to a real person.
 */

export const DEMO_DISTRICT_CODE = 'DEMO'
export const DEMO_SCHOOL_CODE = 'DEMO-001'
export const DEMO_STUDENT_COUNT = 300

/** Advisory lock key: two instances starting on an empty database seed it once. */
const SEED_LOCK = 727274003
const SEED = 20260901

/** mulberry32: tiny, fast and good enough for synthetic rosters; not for anything secret. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤']
const GIVEN_M = [...'浩宇轩子涵博文俊杰睿泽然一鸣天乐明晨辰阳磊凯伟嘉豪思远航铭锦峻毅宏志鹏飞翔昊煜皓诚立新建国强军华勇刚']
const GIVEN_F = [...'欣怡雨涵梓萱诗琪思佳悦可馨雅婷梦瑶晓彤子一诺若汐静语嘉甜雪丽芳敏慧玲燕红霞娟秀英兰']

const GRADE_NAMES: Record<number, string> = {
  4: '四年级', 5: '五年级', 6: '六年级', 7: '七年级', 8: '八年级', 9: '九年级', 10: '高一', 11: '高二', 12: '高三',
}
/** Classes per grade: two in primary, three from junior middle school on. */
const CLASSES_PER_GRADE = (level: number) => (level <= 6 ? 2 : 3)

/** The class that homeroom.demo leads and monitor.demo belongs to. */
const DEMO_CLASS = { level: 7, seq: 1 }

const SCHOOL_YEAR = '2026-2027'
const TERMS = [
  { semester: 1, name: '2026-2027学年上学期', startDate: '2026-09-01', endDate: '2027-01-22' },
  { semester: 2, name: '2026-2027学年下学期', startDate: '2027-02-22', endDate: '2027-07-09' },
] as const

/**
 * Holidays of the 2026-2027 school year. `major` marks the 重大节假日 after which the
 * 返校必谈 talk is due. 春节 lies inside 寒假; both are major, so a duty generator must
 * key the return talk on the first school day after them, not on the holiday row.
 * Short holidays not yet published by the State Council are given their usual span.
 */
const HOLIDAYS = [
  { name: '国庆节', kind: 'national_day', startDate: '2026-10-01', endDate: '2026-10-07', major: true },
  { name: '元旦', kind: 'other', startDate: '2027-01-01', endDate: '2027-01-03', major: false },
  { name: '寒假', kind: 'winter', startDate: '2027-01-23', endDate: '2027-02-21', major: true },
  { name: '春节', kind: 'spring_festival', startDate: '2027-02-05', endDate: '2027-02-11', major: true },
  { name: '清明节', kind: 'other', startDate: '2027-04-03', endDate: '2027-04-05', major: false },
  { name: '劳动节', kind: 'labour_day', startDate: '2027-05-01', endDate: '2027-05-05', major: false },
  { name: '端午节', kind: 'other', startDate: '2027-06-09', endDate: '2027-06-11', major: false },
  { name: '暑假', kind: 'summer', startDate: '2027-07-10', endDate: '2027-08-31', major: true },
] as const

export const DEMO_ACCOUNTS = [
  { username: 'admin.demo', displayName: '示范学校管理员', role: 'school_admin' },
  { username: 'psych.demo', displayName: '示范心理教师', role: 'psych_teacher' },
  { username: 'homeroom.demo', displayName: '示范班主任', role: 'homeroom_teacher' },
  { username: 'mentor.demo', displayName: '示范结对教师', role: 'mentor' },
  { username: 'monitor.demo', displayName: '示范心理委员', role: 'peer_monitor' },
  { username: 'district.demo', displayName: '示范区教育局', role: 'district_staff' },
] as const satisfies ReadonlyArray<{ username: string; displayName: string; role: Role }>

const DAY_MS = 86_400_000

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Children start 一年级 in the September after they turn six (cut-off 31 August), so a
 * pupil in grade `level` in 2026-2027 was born between 1 Sept (2020 − level) and
 * 31 Aug (2021 − level).
 */
function birthRange(level: number): [number, number] {
  return [Date.UTC(2020 - level, 8, 1), Date.UTC(2021 - level, 7, 31)]
}

/**
 * `extensions: false` seeds the roster only (used by the seed's own test); by default every
 * module's demo records follow inside the same transaction.
 */
export async function seedDemoIfEmpty(database: Database, opts: { password: string; extensions?: boolean }): Promise<{ accounts: string[] } | null> {
  const { db } = database
  // Cheap check first so a restart on a seeded database does not pay for a hash.
  if (await hasDistrict(database)) return null
  const passwordHash = await hashPassword(opts.password)
  await prepareNotesKeys(db)

  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK})`)
    if ((await queryRows(tx, sql`select 1 from districts limit 1`)).length > 0) return null

    const rand = prng(SEED)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
    const givenName = (pool: readonly string[]) => (rand() < 0.7 ? pick(pool) + pick(pool) : pick(pool))

    const districtId = randomUUID()
    const schoolId = randomUUID()
    await tx.insert(districts).values({ id: districtId, code: DEMO_DISTRICT_CODE, name: '示范区' })
    await tx.insert(schools).values({ id: schoolId, districtId, code: DEMO_SCHOOL_CODE, name: '心安示范学校', stage: 'complete' })

    const gradeRows: Array<typeof grades.$inferInsert> = []
    const classRows: Array<typeof classes.$inferInsert & { id: string; level: number }> = []
    for (let level = 4; level <= 12; level++) {
      const gradeId = randomUUID()
      const name = GRADE_NAMES[level]!
      gradeRows.push({ schoolId, id: gradeId, level, name })
      for (let seq = 1; seq <= CLASSES_PER_GRADE(level); seq++) {
        classRows.push({ schoolId, id: randomUUID(), gradeId, name: `${name}(${seq})班`, seq, level })
      }
    }
    await tx.insert(grades).values(gradeRows)
    await tx.insert(classes).values(classRows.map(({ level: _level, ...c }) => c))

    const studentRows: Array<typeof students.$inferInsert> = []
    const guardianRows: Array<typeof guardians.$inferInsert> = []
    const perGrade = new Map<number, number>()
    let phoneSerial = 0
    const fakePhone = () => {
      // 138/139 followed by 0000 and a serial: obviously synthetic, never a real subscriber.
      phoneSerial++
      return `${phoneSerial % 2 ? '139' : '138'}0000${String(phoneSerial).padStart(4, '0')}`
    }
    for (let i = 0; i < DEMO_STUDENT_COUNT; i++) {
      // Round-robin over classes keeps every class at 12–13 pupils.
      const klass = classRows[i % classRows.length]!
      const n = (perGrade.get(klass.level) ?? 0) + 1
      perGrade.set(klass.level, n)
      const gender = rand() < 0.5 ? 'M' : 'F'
      const surname = pick(SURNAMES)
      const [from, to] = birthRange(klass.level)
      const studentId = randomUUID()
      studentRows.push({
        schoolId,
        id: studentId,
        studentNo: `2026${String(klass.level).padStart(2, '0')}${String(n).padStart(2, '0')}`,
        name: surname + givenName(gender === 'M' ? GIVEN_M : GIVEN_F),
        gender,
        birthDate: isoDate(from + Math.floor(rand() * ((to - from) / DAY_MS + 1)) * DAY_MS),
        classId: klass.id,
      })

      const father = { relation: '父亲', name: surname + givenName(GIVEN_M) }
      let motherSurname = pick(SURNAMES)
      if (motherSurname === surname) motherSurname = pick(SURNAMES)
      const mother = { relation: '母亲', name: motherSurname + givenName(GIVEN_F) }
      const r = rand()
      // About seven in ten have both parents on file; the rest one of them.
      const family = r < 0.7 ? [mother, father] : r < 0.88 ? [mother] : [father]
      family.forEach((g, k) => {
        guardianRows.push({ schoolId, id: randomUUID(), studentId, name: g.name, relation: g.relation, phone: fakePhone(), isPrimary: k === 0 })
      })
    }
    await tx.insert(students).values(studentRows)
    await tx.insert(guardians).values(guardianRows)

    await tx.insert(terms).values(TERMS.map((t) => ({ schoolId, schoolYear: SCHOOL_YEAR, ...t })))
    await tx.insert(holidays).values(HOLIDAYS.map((h) => ({ schoolId, ...h })))

    const demoClass = classRows.find((c) => c.level === DEMO_CLASS.level && c.seq === DEMO_CLASS.seq)!
    const userRows = DEMO_ACCOUNTS.map((a) => ({
      id: randomUUID(),
      username: a.username,
      passwordHash,
      displayName: a.displayName,
      schoolId: a.role === 'district_staff' ? null : schoolId,
      districtId,
    }))
    await tx.insert(users).values(userRows)
    await tx.insert(userRoles).values(DEMO_ACCOUNTS.map((a, k) => {
      const userId = userRows[k]!.id
      if (a.role === 'district_staff') return { userId, role: a.role, districtId }
      const classId = a.role === 'homeroom_teacher' || a.role === 'peer_monitor' ? demoClass.id : null
      return { userId, role: a.role, schoolId, classId }
    }))

    const demo: DemoContext = {
      districtId,
      schoolId,
      userIds: Object.fromEntries(DEMO_ACCOUNTS.map((a, k) => [a.username, userRows[k]!.id])),
      demoClassId: demoClass.id,
      classes: classRows.map((c) => ({ id: c.id, level: c.level, seq: c.seq, name: c.name })),
      students: studentRows.map((st) => ({ id: st.id!, classId: st.classId, level: classRows.find((c) => c.id === st.classId)!.level })),
      rand,
      today: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
    }
    // The demo school's notes are sealed like any others: its first data key commits with the school.
    if (opts.extensions !== false) {
      await withNotesSchool(db, schoolId, async () => {
        for (const extend of demoExtensions) await extend(tx, demo)
      }, tx)
    }

    return { accounts: DEMO_ACCOUNTS.map((a) => a.username) }
  })
}

async function hasDistrict(database: Database): Promise<boolean> {
  return (await queryRows(database.db, sql`select 1 from districts limit 1`)).length > 0
}
