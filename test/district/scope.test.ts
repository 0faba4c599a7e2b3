import t from '../helpers/tap.js'
import { schools, students } from '../../db/schema/index.js'
import { definePolicy, type ResourcePolicy } from '../../src/access/define.js'
import { PolicyRegistry, validatePolicy } from '../../src/access/engine.js'
import { readMany } from '../../src/access/query.js'
import { withActorTx } from '../../src/access/transaction.js'
import type { Actor } from '../../src/access/roles.js'
import { sharedTestApp, createSchool } from '../helpers/app.js'

/** The `district` scope: bound to the districts of the actor's grants, never to a school. */

const districtActor = (districtIds: string[], schoolId: string | null = null): Actor => ({
  userId: '11111111-1111-4111-8111-111111111111', username: 'd', displayName: 'd', sessionId: 's', schoolId, districtId: districtIds[0] ?? null,
  roles: districtIds.map((d) => ({ role: 'district_staff' as const, schoolId: null, classId: null, districtId: d })),
})

const fields = { keys: ['id', 'districtId'], info: ['code', 'name', 'stage', 'createdAt'], security: ['requireSecondFactor'] } as const

t.test('validation: district scope needs a district relation and the district_staff role', async (t) => {
  const base = { resource: 'x', table: schools, idColumn: 'id', fields, roles: {} }
  t.throws(() => validatePolicy({ ...base, relations: { school: 'id' }, roles: { district_staff: { actions: ['read'], scope: 'district', read: ['keys'] } } } as unknown as ResourcePolicy), /no district relation/)
  t.throws(() => validatePolicy({ ...base, relations: { school: 'id', district: 'districtId' }, roles: { psych_teacher: { actions: ['read'], scope: 'district', read: ['keys'] } } } as unknown as ResourcePolicy), /district_staff only/)
  t.doesNotThrow(() => validatePolicy({ ...base, relations: { school: 'id', district: 'districtId' }, roles: { district_staff: { actions: ['read'], scope: 'district', read: ['keys'] } } } as unknown as ResourcePolicy))
})

t.test('district decisions reach the schools of the grant\'s district only; school decisions are unchanged', async (t) => {
  const { app, database } = await sharedTestApp()
  const a1 = await createSchool(database)
  const a2 = await createSchool(database, a1.districtId)
  const b1 = await createSchool(database)
  const d = app.policies.decide(districtActor([a1.districtId]), 'district_stats', 'read')!
  t.ok(d, 'district staff get a decision')
  t.same(d.grants.map((g) => g.scope), ['district'])
  const { items } = await withActorTx(database.db, d.actor, (tx) => readMany(tx, d, { limit: 100, offset: 0 }))
  t.same(items.map((s) => s.id).sort(), [a1.schoolId, a2.schoolId].sort(), 'both schools of district A, none of B')
  t.same(Object.keys(items[0]!).sort(), ['code', 'createdAt', 'districtId', 'id', 'name', 'stage'])

  // Two district grants: both districts; a stray school id on the actor does not narrow or widen it.
  const both = app.policies.decide(districtActor([a1.districtId, b1.districtId], b1.schoolId), 'district_stats', 'read')!
  const all = await withActorTx(database.db, both.actor, (tx) => readMany(tx, both, { limit: 100, offset: 0 }))
  t.same(all.items.map((s) => s.id).sort(), [a1.schoolId, a2.schoolId, b1.schoolId].sort())

  // No district grant, no decision: a school role does not reach district_stats at all.
  const teacher: Actor = { ...districtActor([]), schoolId: a1.schoolId, roles: [{ role: 'psych_teacher', schoolId: a1.schoolId, classId: null, districtId: a1.districtId }] }
  t.equal(app.policies.decide(teacher, 'district_stats', 'read'), null)
  t.equal(app.policies.decide(districtActor([a1.districtId]), 'district_stats', 'list'), null, 'only read and export')
  t.ok(app.policies.decide(districtActor([a1.districtId]), 'district_stats', 'export'))

  // A district grant on a school-bound resource reaches nothing (students have no district scope).
  const reg = new PolicyRegistry([definePolicy({
    resource: 'students_x', table: students, idColumn: 'id', relations: { school: 'schoolId', student: 'id' },
    fields: { all: ['id', 'schoolId', 'studentNo', 'nationalId', 'name', 'gender', 'birthDate', 'classId', 'status', 'leftAt', 'createdAt', 'updatedAt'] },
    roles: { district_staff: { actions: ['read'], scope: 'school', read: ['all'] }, psych_teacher: { actions: ['read'], scope: 'school', read: ['all'] } },
  }) as unknown as ResourcePolicy])
  const sd = reg.decide(districtActor([a1.districtId]), 'students_x', 'read')!
  const none = await withActorTx(database.db, sd.actor, (tx) => readMany(tx, sd, { limit: 10, offset: 0 }))
  t.equal(none.total, 0, 'school scope without a school reaches nothing')
  const pd = reg.decide(teacher, 'students_x', 'read')!
  t.match(JSON.stringify(database.db.select().from(students).where(pd.where()).toSQL().params), a1.schoolId, 'school-bound decisions still name the school')
})
