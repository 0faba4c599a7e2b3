import { careList } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 关注名单: the homeroom teacher of the class and a paired mentor learn that a student needs
 * care, since when, and what to do — not why, and not the risk details.
 */
export default definePolicy({
  resource: 'care_list',
  table: careList,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    listing: ['addedAt', 'removedAt'],
    guidance: ['guidance'],
    risk: ['riskLevel', 'sourceResponseId'],
    clinical: ['reason', 'removedReason'],
    meta: ['addedBy'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'listing', 'guidance', 'risk', 'clinical', 'meta'],
      write: ['guidance', 'risk', 'clinical'],
    },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'listing', 'guidance'] },
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'listing', 'guidance'] },
  },
})
