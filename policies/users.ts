import { userRoles, users } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** Staff accounts. The password hash and the auth epoch are in a group no role reads or writes. */
export const usersPolicy = definePolicy({
  resource: 'users',
  table: users,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'districtId'],
    account: ['username', 'displayName', 'status', 'locale'],
    meta: ['createdAt', 'passwordChangedAt', 'mustChangePassword', 'totpEnabledAt'],
    secret: ['passwordHash', 'authEpoch', 'totpSecret', 'totpLastStep'],
  },
  relations: { school: 'schoolId', owner: 'id' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'account', 'meta'], write: ['account'] },
    // Psychology teachers pick mentors for pairings: names only.
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'account'] },
  },
})

export const userRolesPolicy = definePolicy({
  resource: 'user_roles',
  table: userRoles,
  idColumn: 'id',
  fields: {
    keys: ['id', 'userId', 'schoolId', 'districtId'],
    grant: ['role', 'classId'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', class: 'classId' },
  roles: {
    // The user comes from the path and the school from the admin: only the grant itself is written.
    school_admin: { actions: ['read', 'list', 'create', 'delete'], scope: 'school', read: ['keys', 'grant', 'meta'], write: ['grant'] },
  },
})
