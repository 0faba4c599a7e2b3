import { safetyPlans, safetyPlanVersions } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 安全计划 (Stanley–Brown). The psychology teachers of the school write and read it all. The
 * student's paired mentor (结对教师) learns that a plan exists while the pairing is active, so
 * the mentor's own part can be found; nobody else reaches it.
 */
export const safetyPlansPolicy = definePolicy({
  resource: 'safety_plans',
  table: safetyPlans,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'caseId', 'studentId'],
    status: ['status', 'currentVersion', 'updatedAt'],
    origin: ['crisisId'],
    meta: ['createdBy', 'createdAt', 'endedAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition', 'export'],
      scope: 'school',
      read: ['keys', 'status', 'origin', 'meta'],
      // The case comes from the path; status and versions are the service's.
      write: ['origin'],
    },
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'status'] },
  },
})

/**
 * A plan's versions. The mentor reads only the steps addressed to them — what the student
 * can do alone (step 2), the people and places that distract (step 3) and the reasons for
 * living — so they can encourage the student to use them. The warning signs, the people to
 * call, the professionals and the means to make safe stay with the psychology teachers: they
 * name family members, phone numbers and methods.
 */
export const safetyPlanVersionsPolicy = definePolicy({
  resource: 'safety_plan_versions',
  table: safetyPlanVersions,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'planId', 'studentId', 'version'],
    mentorPart: ['copingStrategies', 'socialDistractions', 'reasonsForLiving'],
    clinical: ['warningSigns', 'helpContacts', 'professionals', 'environmentSafety'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'school',
      read: ['keys', 'mentorPart', 'clinical', 'meta'],
      write: ['mentorPart', 'clinical'],
    },
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'mentorPart', 'meta'] },
  },
})
