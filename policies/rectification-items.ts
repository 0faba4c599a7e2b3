import { rectificationItems } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * One problem of a 整改通知书 and its 整改措施, person responsible and 整改时限. The school
 * admin records and edits them; the status changes only through a 回头看 (the service sets it).
 * Psychology teachers read them and add progress notes.
 */
export default definePolicy({
  resource: 'rectification_items',
  table: rectificationItems,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'visitId'],
    problem: ['itemCode', 'problem'],
    plan: ['measure', 'responsibleUserId', 'responsibleName', 'deadline'],
    status: ['status', 'rectifiedOn', 'overdueNotifiedAt'],
    meta: ['createdBy', 'createdAt', 'updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'problem', 'plan', 'status', 'meta'], write: ['problem', 'plan'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'problem', 'plan', 'status', 'meta'] },
  },
})
