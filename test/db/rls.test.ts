import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { students } from '../../db/schema/index.js'
import { sharedTestApp, createSchool } from '../helpers/app.js'

t.test('every table with a NOT NULL school_id has row-level security and the school wall', async (t) => {
  const { database } = await sharedTestApp()
  const rows = await queryRows<{ relname: string; rls: boolean; wall: boolean }>(database.db, sql`
    select c.relname, c.relrowsecurity as rls,
      exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'school_wall') as wall
    from pg_class c join pg_namespace ns on ns.oid = c.relnamespace and ns.nspname = 'public'
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'school_id' and a.attnotnull and not a.attisdropped
    where c.relkind = 'r' order by c.relname`)
  t.ok(rows.length >= 6, `${rows.length} school-bound tables`)
  t.same(rows.filter((r) => !r.rls || !r.wall).map((r) => r.relname), [], 'no school-bound table without the wall')
})

t.test('the app role sees only the school set for the transaction, even without a filter', async (t) => {
  const { database } = await sharedTestApp()
  const a = await createSchool(database)
  const b = await createSchool(database, a.districtId)
  for (const s of [a, b]) {
    await database.db.insert(students).values({ schoolId: s.schoolId, classId: s.classIds[0], studentNo: 'X1', name: '甲', gender: 'F' })
  }
  const seenByA = await withSchoolTx(database.db, a.schoolId, (tx) => tx.select().from(students))
  t.same(seenByA.map((r) => r.schoolId), [a.schoolId])
  const seenByNone = await withSchoolTx(database.db, null, (tx) => tx.select().from(students))
  t.equal(seenByNone.length, 0)
  // Writing into another school is refused by the WITH CHECK clause.
  await t.rejects(withSchoolTx(database.db, a.schoolId, (tx) =>
    tx.insert(students).values({ schoolId: b.schoolId, classId: b.classIds[0], studentNo: 'X2', name: '乙', gender: 'M' })))
})
