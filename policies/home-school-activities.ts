import { homeSchoolActivities } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 家长学校 / 家访 / 家长会: counts for the duty statistics, nothing about one pupil. */
export default definePolicy({
  resource: 'home_school_activities',
  table: homeSchoolActivities,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    place: ['classId'],
    activity: ['kind', 'title', 'activityDate', 'attendance'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', class: 'classId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'place', 'activity', 'meta'],
      write: ['place', 'activity'],
    },
    homeroom_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'class',
      read: ['keys', 'place', 'activity', 'meta'],
      write: ['place', 'activity'],
    },
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'place', 'activity', 'meta'] },
  },
})
