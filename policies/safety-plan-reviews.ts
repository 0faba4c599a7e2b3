import { safetyPlanReviews } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 安全计划复查: when, by whom, at which moment (随访, 复学, other), and whether the plan changed. */
export default definePolicy({
  resource: 'safety_plan_reviews',
  table: safetyPlanReviews,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'planId', 'studentId'],
    review: ['reviewedOn', 'context'],
    note: ['note'],
    outcome: ['newVersion'],
    meta: ['reviewerId', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'school',
      read: ['keys', 'review', 'note', 'outcome', 'meta'],
      // The version is the service's: the one saved with the review, or none.
      write: ['review', 'note'],
    },
  },
})
