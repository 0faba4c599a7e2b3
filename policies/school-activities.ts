import { schoolActivities } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 主题活动 (心理健康日, 心理健康教育月, 开学礼 …): reach, dates and a head count, never names.
 * The psychology teachers and the school admin keep the school's; a homeroom teacher keeps the
 * ones held in their own class.
 */
export default definePolicy({
  resource: 'school_activities',
  table: schoolActivities,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    activity: ['kind', 'title', 'startsOn', 'endsOn', 'participants'],
    reach: ['reach', 'gradeId', 'classId'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', class: 'classId' },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'activity', 'reach', 'meta'], write: ['activity', 'reach'] },
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'activity', 'reach', 'meta'], write: ['activity', 'reach'] },
    homeroom_teacher: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'class', read: ['keys', 'activity', 'reach', 'meta'], write: ['activity', 'reach'] },
  },
})
