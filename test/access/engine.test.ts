import t from '../helpers/tap.js'
import Fastify from 'fastify'
import { students } from '../../db/schema/index.js'
import { definePolicy, type ResourcePolicy } from '../../src/access/define.js'
import { PolicyRegistry, validatePolicy } from '../../src/access/engine.js'
import type { Actor } from '../../src/access/roles.js'
import routeGuard from '../../src/plugins/route-guard.js'
import { policies } from '../../policies/index.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

const base = {
  resource: 'students_test',
  table: students,
  idColumn: 'id',
  relations: { school: 'schoolId', class: 'classId', student: 'id' },
} as const

const allFields = {
  keys: ['id', 'schoolId'],
  identity: ['studentNo', 'name', 'gender', 'classId', 'status'],
  personal: ['birthDate', 'leftAt', 'nationalId'],
  meta: ['createdAt', 'updatedAt'],
} as const

const actor = (roles: Actor['roles']): Actor => ({
  userId: '11111111-1111-4111-8111-111111111111', username: 'x', displayName: 'x', sessionId: 's',
  schoolId: '22222222-2222-4222-8222-222222222222', districtId: null, roles,
})
const school = '22222222-2222-4222-8222-222222222222'

test('the shipped policies pass start-up validation', async (t) => {
  t.doesNotThrow(() => new PolicyRegistry(policies))
  t.ok(policies.length >= 8)
})

test('validation rejects a field in two groups, a field in none, an unknown group', async (t) => {
  t.throws(() => validatePolicy({ ...base, fields: { ...allFields, extra: ['name'] }, roles: {} } as unknown as ResourcePolicy), /in groups/)
  t.throws(() => validatePolicy({ ...base, fields: { keys: ['id', 'schoolId'] }, roles: {} } as unknown as ResourcePolicy), /in no group/)
  t.throws(() => validatePolicy({ ...base, fields: allFields, roles: { psych_teacher: { actions: ['read'], scope: 'school', read: ['nope'] } } } as unknown as ResourcePolicy), /unknown group/)
  t.throws(() => validatePolicy({ ...base, relations: { school: 'schoolId' }, fields: allFields, roles: { mentor: { actions: ['read'], scope: 'paired', read: ['keys'] } } } as unknown as ResourcePolicy), /paired scope/)
})

test('default deny: a role not named gets no decision; merge unions fields and writes', async (t) => {
  const p = definePolicy({
    ...base,
    fields: allFields,
    roles: {
      psych_teacher: { actions: ['read'], scope: 'school', read: ['keys', 'identity'] },
      homeroom_teacher: { actions: ['read', 'update'], scope: 'class', read: ['keys', 'personal'], write: ['personal'] },
    },
  })
  const reg = new PolicyRegistry([p as unknown as ResourcePolicy])
  t.equal(reg.decide(actor([{ role: 'peer_monitor', schoolId: school, classId: 'c', districtId: null }]), 'students_test', 'read'), null)
  t.equal(reg.decide(actor([{ role: 'psych_teacher', schoolId: school, classId: null, districtId: null }]), 'students_test', 'delete'), null)
  t.equal(reg.decide(actor([{ role: 'psych_teacher', schoolId: school, classId: null, districtId: null }]), 'nothing', 'read'), null)
  // A grant for another school than the user's own is ignored.
  t.equal(reg.decide(actor([{ role: 'psych_teacher', schoolId: '33333333-3333-4333-8333-333333333333', classId: null, districtId: null }]), 'students_test', 'read'), null)

  const both = reg.decide(actor([
    { role: 'psych_teacher', schoolId: school, classId: null, districtId: null },
    { role: 'homeroom_teacher', schoolId: school, classId: '44444444-4444-4444-8444-444444444444', districtId: null },
  ]), 'students_test', 'read')!
  t.same(both.grants.map((g) => g.role).sort(), ['homeroom_teacher', 'psych_teacher'])
  // Per-row projection: only the grants whose scope matched the row contribute fields.
  const row = { id: 'i', schoolId: school, name: 'N', birthDate: 'B', createdAt: 'C', __g0: true, __g1: false }
  t.same(Object.keys(both.project(row)).sort(), ['id', 'name', 'schoolId'])
  const row2 = { ...row, __g0: false, __g1: true }
  t.same(Object.keys(both.project(row2)).sort(), ['birthDate', 'id', 'schoolId'])
  t.same(Object.keys(both.project({ ...row, __g0: false, __g1: false })), [])
  // Filters and sorts only on fields every granted role reads.
  t.doesNotThrow(() => both.assertQueryable(['id']))
  t.throws(() => both.assertQueryable(['name']), { code: 'field_not_readable' })

  const hr = reg.decide(actor([{ role: 'homeroom_teacher', schoolId: school, classId: '44444444-4444-4444-8444-444444444444', districtId: null }]), 'students_test', 'update')!
  t.doesNotThrow(() => hr.assertWritable(['birthDate', 'leftAt']))
  t.throws(() => hr.assertWritable(['birthDate', 'name']), { statusCode: 400, code: 'field_not_writable', details: { fields: ['name'] } })
})

test('a route under /api without an access declaration refuses to start', async (t) => {
  const app = Fastify()
  await app.register(routeGuard)
  app.get('/api/v1/oops', async () => 'x')
  await t.rejects(async () => { await app.ready() }, /without an access declaration: GET \/api\/v1\/oops/)
  await app.close().catch(() => {})
})
