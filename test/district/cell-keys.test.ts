import t from '../helpers/tap.js'
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { students, talkDuties } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { cellKeySecret, KEY_SPACE, recordKey } from '../../src/modules/district/cell-key.js'
import { loadAggregates } from '../../src/modules/district/repository.js'
import { schoolYearWindow } from '../../src/modules/district/school-year.js'
import { sharedTestApp, createSchool } from '../helpers/app.js'

/**
 * Students' and talk duties' cell keys are stored when the record is written and read by the
 * release, instead of hashed from the id at every release: a key is drawn once per record,
 * never changes, goes with the pupil, is out of the app role's reach, and is what the cells sum.
 */

const y = schoolYearWindow('2026-11-23')
const sum = (xs: Array<string | number>) => xs.reduce<number>((a, k) => (a + Number(k)) % KEY_SPACE, 0)

t.test('a pupil gets one key when written (insert or COPY-sized batch) and loses it when deleted', async (t) => {
  const { database } = await sharedTestApp()
  const { db } = database
  const school = await createSchool(database)
  const mk = (n: number) => Array.from({ length: n }, () => ({ schoolId: school.schoolId, classId: school.classIds[0], studentNo: randomUUID().slice(0, 8), name: '甲', gender: 'F' }))
  const one = (await db.insert(students).values(mk(1)).returning())[0]!
  const many = await db.insert(students).values(mk(40)).returning()
  const keys = await queryRows<{ student_id: string; cell_key: string }>(db, sql`select student_id, cell_key from student_cell_keys where school_id = ${school.schoolId}`)
  t.equal(keys.length, 41, 'one key per pupil written')
  t.ok(keys.every((k) => Number(k.cell_key) >= 0 && Number(k.cell_key) < KEY_SPACE), 'keys are 32-bit')
  t.ok(new Set(keys.map((k) => k.cell_key)).size > 35, 'keys are drawn at random, not one shared value')
  const before = keys.find((k) => k.student_id === one.id)!.cell_key
  await db.update(students).set({ name: '乙', status: 'left' }).where(eq(students.id, one.id))
  const after = await queryRows<{ cell_key: string }>(db, sql`select cell_key from student_cell_keys where student_id = ${one.id}`)
  t.equal(after[0]!.cell_key, before, 'changing the pupil does not change the key')
  await db.delete(students).where(eq(students.id, many[0]!.id))
  const gone = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from student_cell_keys where student_id = ${many[0]!.id}`)
  t.equal(gone[0]!.n, 0, 'the key goes with the pupil')
})

t.test('the app role cannot read or write the keys; the release sums the stored keys', async (t) => {
  const { database } = await sharedTestApp()
  const { db } = database
  const priv = await queryRows<{ s: boolean; i: boolean }>(db, sql`
    select has_table_privilege('xinan_app', 'student_cell_keys', 'select') as s, has_table_privilege('xinan_app', 'student_cell_keys', 'insert') as i`)
  t.same(priv[0], { s: false, i: false }, 'student_cell_keys: owner only')

  const school = await createSchool(database)
  const c1 = school.classIds[0]
  const pupils = await db.insert(students).values(Array.from({ length: 6 }, () => ({ schoolId: school.schoolId, classId: c1, studentNo: randomUUID().slice(0, 8), name: '甲', gender: 'F' }))).returning()
  for (const p of pupils.slice(0, 4)) {
    await db.insert(talkDuties).values({ schoolId: school.schoolId, studentId: p.id, classId: c1, kind: 'monthly', windowKey: '2026-10', windowStart: '2026-10-01', dueDate: '2026-10-31', status: 'done' })
  }
  const secret = await cellKeySecret(db)
  const agg = await db.transaction((tx) => loadAggregates(tx, [school.schoolId], y, secret))

  const stored = await queryRows<{ cell_key: string }>(db, sql`select cell_key from student_cell_keys where school_id = ${school.schoolId}`)
  const unassessed = agg.riskCurrent.filter((r) => r.rank === 0)
  t.equal(unassessed.reduce((a, r) => a + r.n, 0), 6, 'six pupils, none assessed')
  t.equal(sum(unassessed.map((r) => r.key)), sum(stored.map((k) => k.cell_key)), 'a cell\'s key is the sum of its pupils\' stored keys')

  const dutyKeys = await queryRows<{ cell_key: string }>(db, sql`select cell_key from talk_duties where school_id = ${school.schoolId}`)
  t.equal(agg.talks.length, 1)
  t.equal(agg.talks[0]!.n, 4)
  t.equal(agg.talks[0]!.key, sum(dutyKeys.map((k) => k.cell_key)), 'a duty cell\'s key is the sum of its duties\' stored keys')

  // A pupil without a stored key (written with triggers off, e.g. a restore) gets the keyed
  // hash of the id, the key every pupil had before keys were stored.
  await db.execute(sql`delete from student_cell_keys where student_id = ${pupils[0]!.id}`)
  const hashed = await queryRows<{ k: string }>(db, sql`select ${recordKey(secret, sql`${pupils[0]!.id}::uuid`)} as k`)
  const again = await db.transaction((tx) => loadAggregates(tx, [school.schoolId], y, secret))
  const rest = await queryRows<{ cell_key: string }>(db, sql`select cell_key from student_cell_keys where school_id = ${school.schoolId}`)
  t.equal(rest.length, 5)
  t.equal(sum(again.riskCurrent.filter((r) => r.rank === 0).map((r) => r.key)), sum([...rest.map((k) => k.cell_key), hashed[0]!.k]), 'the fallback is the keyed hash')
})
