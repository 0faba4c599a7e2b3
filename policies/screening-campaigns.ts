import { screeningCampaigns } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 测评活动: which grades, which instruments, when. No student data lives here. */
export default definePolicy({
  resource: 'screening_campaigns',
  table: screeningCampaigns,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    plan: ['name', 'schoolYear', 'instrumentIds', 'gradeLevels', 'startDate', 'endDate', 'status', 'consentRequired'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'plan', 'meta'],
      write: ['plan'],
    },
    // 学校管理员: campaign metadata and coverage counts, never a student's result.
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'plan', 'meta'] },
  },
})
