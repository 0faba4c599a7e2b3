import { leadershipMembers } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 心理健康工作领导小组: who sits on it. Kept by the school admin (the school's leadership); psychology teachers read it. */
export default definePolicy({
  resource: 'leadership_members',
  table: leadershipMembers,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    member: ['userId', 'name', 'post', 'groupRole', 'since', 'until'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', owner: 'userId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'member', 'meta'], write: ['member'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'member', 'meta'] },
  },
})
