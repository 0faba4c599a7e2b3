import { talkRules } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 三个必谈 rules of a school (每学期 / 每月 / 重大节假日返校): which students, how soon after a
 * return. School-wide settings, no person in them: psychology teachers and school admins
 * manage them, homeroom teachers read what applies to them.
 */
export default definePolicy({
  resource: 'talk_rules',
  table: talkRules,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    rule: ['kind', 'target', 'withinSchoolDays', 'active'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'update'], scope: 'school', read: ['keys', 'rule'], write: ['rule'] },
    psych_teacher: { actions: ['read', 'list', 'update'], scope: 'school', read: ['keys', 'rule'], write: ['rule'] },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'rule'] },
  },
})
