import { and, eq, sql } from 'drizzle-orm'
import { classes, grades, guardians, holidays, students, terms, userRoles, users } from '../../../db/schema/index.js'
import { queryRows } from '../../../src/db/database.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { Variant, World } from '../world.js'

/**
 * Matrix entries of the roster. Targets in school A for the ownClass and
 * otherClass variants, in school B for otherSchool; records the requests change or delete
 * are made fresh, so the world's own classes and students stay as they are.
 *
 * Creates without a parent in the path or body (accounts, terms, holidays, grades, the
 * import) are `collection` cases: they always land in the caller's school, so no variant
 * can put them out of scope.
 */

const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB : w.schoolA)
const gradeOf = (w: World, v: Variant) => schoolOf(w, v).gradeId
const worldClassOf = (w: World, v: Variant) => (v === 'ownClass' ? w.ownClassId : v === 'otherClass' ? w.otherClassId : w.schoolB.classIds[0])

/** A class nobody uses (no students), to update or delete; seq far above what the API hands out. */
let classSeq = 1000
async function freshClass(w: World, v: Variant): Promise<string> {
  const s = schoolOf(w, v)
  const seq = ++classSeq
  const row = (await w.database.db.insert(classes).values({ schoolId: s.schoolId, gradeId: s.gradeId, name: `测试班${seq}`, seq }).returning())[0]!
  return row.id
}

/**
 * A student to delete: made directly rather than by world.newStudent, whose ownClass students
 * are paired with the mentor; a pairing refers to the student, so deleting it would be 409.
 */
async function freshStudent(w: World, v: Variant): Promise<string> {
  const s = schoolOf(w, v)
  return (await w.database.db.insert(students).values({
    schoolId: s.schoolId, classId: worldClassOf(w, v)!, studentNo: `D${rid()}${rid()}`, name: `学生${rid()}`, gender: 'M',
  }).returning())[0]!.id
}

async function freshUser(w: World, v: Variant): Promise<string> {
  const s = schoolOf(w, v)
  const row = (await w.database.db.insert(users).values({
    username: `m_${rid()}${rid()}`, passwordHash: 'x', displayName: `教师${rid()}`, schoolId: s.schoolId, districtId: s.districtId,
  }).returning())[0]!
  return row.id
}

async function freshGrant(w: World, v: Variant): Promise<string> {
  const s = schoolOf(w, v)
  const userId = await freshUser(w, v)
  return (await w.database.db.insert(userRoles).values({ userId, role: 'mentor', schoolId: s.schoolId }).returning())[0]!.id
}

/** A school year no term has yet: the unique (school, year, semester) holds for every request. */
async function freeYear(w: World): Promise<number> {
  const rows = await queryRows<{ y: number | string | null }>(w.database.db, sql`select max(substr(school_year, 1, 4)::int) as y from terms`)
  return Math.max(Number(rows[0]?.y ?? 0), 2100) + 1
}

async function freshTerm(w: World, v: Variant): Promise<string> {
  const y = await freeYear(w)
  return (await w.database.db.insert(terms).values({
    schoolId: schoolOf(w, v).schoolId, schoolYear: `${y}-${y + 1}`, semester: 1, name: `${y}学年上学期`, startDate: `${y}-09-01`, endDate: `${y + 1}-01-20`,
  }).returning())[0]!.id
}

async function freshHoliday(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(holidays).values({
    schoolId: schoolOf(w, v).schoolId, name: `假期${rid()}`, startDate: '2026-10-01', endDate: '2026-10-07',
  }).returning())[0]!.id
}

async function guardianOf(w: World, studentId: string): Promise<string> {
  return (await w.database.db.select({ id: guardians.id }).from(guardians).where(eq(guardians.studentId, studentId)).limit(1))[0]!.id
}

async function studentNoOf(w: World, studentId: string): Promise<string> {
  return (await w.database.db.select({ no: students.studentNo }).from(students).where(eq(students.id, studentId)))[0]!.no
}

/** The smallest grade level school A does not have yet (the request must validate for every role). */
async function freeLevel(w: World): Promise<number> {
  const taken = new Set((await w.database.db.select({ level: grades.level }).from(grades).where(eq(grades.schoolId, w.schoolA.schoolId))).map((g) => g.level))
  for (let l = 1; l <= 12; l++) if (!taken.has(l)) return l
  throw new Error('every grade level is taken')
}

async function freeSeq(w: World, v: Variant): Promise<number> {
  const s = schoolOf(w, v)
  const taken = new Set((await w.database.db.select({ seq: classes.seq }).from(classes)
    .where(and(eq(classes.schoolId, s.schoolId), eq(classes.gradeId, s.gradeId)))).map((c) => c.seq))
  for (let n = 3; n <= 99; n++) if (!taken.has(n)) return n
  throw new Error('every class seq is taken')
}

const item = (ok: number, request: RouteCase['request']): RouteCase => ({ kind: 'item', ok, request })

export const rosterCases: Catalogue = {
  // ── grades & classes ──────────────────────────────────────────────────────────────
  'GET /api/v1/grades': {
    kind: 'collection',
    ok: 200,
    async request(w, v) { return { url: '/api/v1/grades?limit=500', targetId: gradeOf(w, v) } },
    contains: itemsContain,
  },
  'POST /api/v1/grades': {
    kind: 'collection',
    ok: 201,
    async request(w) { return { url: '/api/v1/grades', payload: { level: await freeLevel(w) } } },
  },
  'GET /api/v1/classes': {
    kind: 'collection',
    ok: 200,
    async request(w, v) { return { url: '/api/v1/classes?limit=500', targetId: worldClassOf(w, v) } },
    contains: itemsContain,
  },
  'POST /api/v1/classes': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      return { url: '/api/v1/classes', payload: { gradeId: gradeOf(w, v), seq: await freeSeq(w, v) }, targetId: gradeOf(w, v) }
    },
  },
  'GET /api/v1/classes/:id': item(200, async (w, v) => {
    const id = worldClassOf(w, v)
    return { url: `/api/v1/classes/${id}`, targetId: id }
  }),
  'PATCH /api/v1/classes/:id': item(200, async (w, v) => {
    const id = await freshClass(w, v)
    return { url: `/api/v1/classes/${id}`, payload: { name: `改名班${rid()}` }, targetId: id }
  }),
  'DELETE /api/v1/classes/:id': item(204, async (w, v) => {
    const id = await freshClass(w, v)
    return { url: `/api/v1/classes/${id}`, targetId: id }
  }),

  // ── students & guardians ──────────────────────────────────────────────────────────
  'GET /api/v1/students': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      // Searching by the target's 学号 keeps it on the first page however many students exist.
      const s = await w.newStudent(v)
      return { url: `/api/v1/students?q=${encodeURIComponent(await studentNoOf(w, s.id))}`, targetId: s.id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/students/:id': item(200, async (w, v) => {
    const s = await w.newStudent(v)
    return { url: `/api/v1/students/${s.id}`, targetId: s.id }
  }),
  'POST /api/v1/students': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const classId = worldClassOf(w, v)!
      return { url: '/api/v1/students', payload: { studentNo: `P${rid()}${rid()}`, name: '新同学', gender: 'F', birthDate: '2013-03-03', classId }, targetId: classId }
    },
  },
  'PATCH /api/v1/students/:id': item(200, async (w, v) => {
    const s = await w.newStudent(v)
    return { url: `/api/v1/students/${s.id}`, payload: { name: '改名' }, targetId: s.id }
  }),
  'DELETE /api/v1/students/:id': item(204, async (w, v) => {
    const id = await freshStudent(w, v)
    return { url: `/api/v1/students/${id}`, targetId: id }
  }),
  'GET /api/v1/students/:id/guardians': item(200, async (w, v) => {
    const s = await w.newStudent(v)
    return { url: `/api/v1/students/${s.id}/guardians`, targetId: s.id }
  }),
  'POST /api/v1/students/:id/guardians': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/guardians`, payload: { name: `家长${rid()}`, relation: '父亲', phone: '13800000000' }, targetId: s.id }
    },
  },
  'PATCH /api/v1/guardians/:id': item(200, async (w, v) => {
    const id = await guardianOf(w, (await w.newStudent(v)).id)
    return { url: `/api/v1/guardians/${id}`, payload: { phone: '13700000000' }, targetId: id }
  }),
  'DELETE /api/v1/guardians/:id': item(204, async (w, v) => {
    const id = await guardianOf(w, (await w.newStudent(v)).id)
    return { url: `/api/v1/guardians/${id}`, targetId: id }
  }),
  'POST /api/v1/students/import': {
    kind: 'collection',
    ok: 200,
    async request() {
      const csv = `姓名,学号,性别,出生日期,年级,班级,监护人,联系电话\n导入生,I${rid()}${rid()},女,2013-04-05,七年级,1班,导入家长,13600000000\n`
      return { url: '/api/v1/students/import', payload: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } }
    },
  },
  'GET /api/v1/students/import-template.xlsx': { kind: 'collection', ok: 200, async request() { return { url: '/api/v1/students/import-template.xlsx' } } },
  'GET /api/v1/students/import-template.csv': { kind: 'collection', ok: 200, async request() { return { url: '/api/v1/students/import-template.csv' } } },
  // The answer is an .xlsx file, so there is no `contains`; test/roster/import.test.ts checks its rows.
  'GET /api/v1/students/export.xlsx': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/students/export.xlsx' } },
  },

  // ── users & roles ─────────────────────────────────────────────────────────────────
  'GET /api/v1/users': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshUser(w, v)
      const username = (await w.database.db.select({ u: users.username }).from(users).where(eq(users.id, id)))[0]!.u
      return { url: `/api/v1/users?q=${encodeURIComponent(username)}`, targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/users/:id': item(200, async (w, v) => {
    const id = await freshUser(w, v)
    return { url: `/api/v1/users/${id}`, targetId: id }
  }),
  'POST /api/v1/users': {
    kind: 'collection',
    ok: 201,
    async request() {
      return { url: '/api/v1/users', payload: { username: `n_${rid()}${rid()}`, displayName: '新老师', password: 'Initial-pass-2026' } }
    },
  },
  'PATCH /api/v1/users/:id': item(200, async (w, v) => {
    const id = await freshUser(w, v)
    return { url: `/api/v1/users/${id}`, payload: { displayName: '改名老师' }, targetId: id }
  }),
  'POST /api/v1/users/:id/password-reset': item(200, async (w, v) => {
    const id = await freshUser(w, v)
    return { url: `/api/v1/users/${id}/password-reset`, targetId: id }
  }),
  'GET /api/v1/users/:id/roles': item(200, async (w, v) => {
    const id = await freshUser(w, v)
    return { url: `/api/v1/users/${id}/roles`, targetId: id }
  }),
  'POST /api/v1/users/:id/roles': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const id = await freshUser(w, v)
      return { url: `/api/v1/users/${id}/roles`, payload: { role: 'mentor' }, targetId: id }
    },
  },
  'DELETE /api/v1/user-roles/:id': item(204, async (w, v) => {
    const id = await freshGrant(w, v)
    return { url: `/api/v1/user-roles/${id}`, targetId: id }
  }),

  // ── calendar ──────────────────────────────────────────────────────────────────────
  'GET /api/v1/calendar/terms': {
    kind: 'collection',
    ok: 200,
    async request(w, v) { return { url: '/api/v1/calendar/terms?limit=500', targetId: await freshTerm(w, v) } },
    contains: itemsContain,
  },
  'POST /api/v1/calendar/terms': {
    kind: 'collection',
    ok: 201,
    async request(w) {
      const y = await freeYear(w)
      return { url: '/api/v1/calendar/terms', payload: { schoolYear: `${y}-${y + 1}`, semester: 1, startDate: `${y}-09-01`, endDate: `${y + 1}-01-20` } }
    },
  },
  'PATCH /api/v1/calendar/terms/:id': item(200, async (w, v) => {
    const id = await freshTerm(w, v)
    return { url: `/api/v1/calendar/terms/${id}`, payload: { name: '改名学期' }, targetId: id }
  }),
  'DELETE /api/v1/calendar/terms/:id': item(204, async (w, v) => {
    const id = await freshTerm(w, v)
    return { url: `/api/v1/calendar/terms/${id}`, targetId: id }
  }),
  'GET /api/v1/calendar/holidays': {
    kind: 'collection',
    ok: 200,
    async request(w, v) { return { url: '/api/v1/calendar/holidays?limit=500', targetId: await freshHoliday(w, v) } },
    contains: itemsContain,
  },
  'POST /api/v1/calendar/holidays': {
    kind: 'collection',
    ok: 201,
    async request() { return { url: '/api/v1/calendar/holidays', payload: { name: `校庆${rid()}`, startDate: '2026-11-01', endDate: '2026-11-01' } } },
  },
  'PATCH /api/v1/calendar/holidays/:id': item(200, async (w, v) => {
    const id = await freshHoliday(w, v)
    return { url: `/api/v1/calendar/holidays/${id}`, payload: { major: true }, targetId: id }
  }),
  'DELETE /api/v1/calendar/holidays/:id': item(204, async (w, v) => {
    const id = await freshHoliday(w, v)
    return { url: `/api/v1/calendar/holidays/${id}`, targetId: id }
  }),
}
