import t from '../helpers/tap.js'
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { verifyAuditChain, type AuditEvent } from '../../src/audit/audit.js'
import { queryRows } from '../../src/db/database.js'
import { queueAudit, withSchoolTx } from '../../src/access/transaction.js'
import { classes, grades } from '../../db/schema/index.js'
import { createSchool } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * A write's audit rows are appended just before its COMMIT, on the server without waiting for
 * the append's answer (the COMMIT follows it on the connection). Whatever the driver, a change
 * commits with its rows or not at all, and the chain stays whole under concurrent writes.
 */
const event = (schoolId: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  actorId: null, roles: 'test', action: 'C', resource: 'grades', recordIds: [randomUUID()], outcome: 'ok', schoolId, ...over,
})

t.test('a change commits with its audit row; a failed append leaves neither', async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const { db } = database
  const school = await createSchool(database)
  const auditRows = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`))[0]!.n
  const gradeNamed = async (name: string) => (await db.select().from(grades).where(eq(grades.name, name))).length

  const before = await auditRows()
  const id = await withSchoolTx(db, school.schoolId, async (tx) => {
    const [g] = await tx.insert(grades).values({ schoolId: school.schoolId, level: 8, name: '八年级-kept' }).returning()
    t.ok(queueAudit(tx, event(school.schoolId, { recordIds: [g!.id] })), 'queued on the transaction')
    return g!.id
  })
  t.equal(await gradeNamed('八年级-kept'), 1, 'the change committed')
  t.equal(await auditRows(), before + 1, 'with its audit row')
  const [row] = await queryRows<{ record_ids: string[] }>(db, sql`select record_ids from audit_log order by seq desc limit 1`)
  t.same(row!.record_ids, [id], 'naming the record')

  // The append itself fails (a student id that is no uuid): the change must not commit.
  await t.rejects(withSchoolTx(db, school.schoolId, async (tx) => {
    await tx.insert(grades).values({ schoolId: school.schoolId, level: 9, name: '九年级-lost' })
    queueAudit(tx, event(school.schoolId, { studentIds: ['not-a-uuid'] }))
  }), 'the failed append fails the write')
  t.equal(await gradeNamed('九年级-lost'), 0, 'the change was rolled back')
  t.equal(await auditRows(), before + 1, 'and no audit row was added')

  // The pool is fine afterwards: the next write on it commits as usual.
  await withSchoolTx(db, school.schoolId, async (tx) => {
    await tx.insert(grades).values({ schoolId: school.schoolId, level: 9, name: '九年级-after' })
    queueAudit(tx, event(school.schoolId))
  })
  t.equal(await gradeNamed('九年级-after'), 1)
  t.equal(await auditRows(), before + 2)
  t.same(await verifyAuditChain(db), { ok: true, total: before + 2, firstBrokenSeq: null })
})

t.test('concurrent writes: every row appended once, in one unbroken chain', async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const { db } = database
  const school = await createSchool(database)
  const n = 24
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => withSchoolTx(db, school.schoolId, async (tx) => {
    await tx.insert(classes).values({ schoolId: school.schoolId, gradeId: school.gradeId, name: `concurrent-${i}`, seq: 100 + i })
    queueAudit(tx, event(school.schoolId, { recordIds: [`r${i}`] }))
    // Every fourth write fails at its append: the others are not held up or broken by it.
    if (i % 4 === 3) queueAudit(tx, event(school.schoolId, { studentIds: ['not-a-uuid'] }))
  })))
  const failed = results.filter((r) => r.status === 'rejected').length
  t.equal(failed, n / 4, 'exactly the writes whose append failed')
  const kept = await queryRows<{ name: string }>(db, sql`select name from classes where school_id = ${school.schoolId} and seq >= 100 order by name`)
  const audited = await queryRows<{ id: string }>(db, sql`select record_ids[1] as id from audit_log where resource = 'grades' order by seq`)
  t.same(kept.map((k) => k.name.replace('concurrent-', 'r')).sort(), audited.map((a) => a.id).sort(), 'each kept change has its row, and only those')
  t.equal(kept.length, n - n / 4)
  const chain = await verifyAuditChain(db)
  t.same(chain, { ok: true, total: n - n / 4, firstBrokenSeq: null })
})
