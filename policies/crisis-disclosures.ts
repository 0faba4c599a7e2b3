import { crisisDisclosures } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 告知记录 of a crisis event: who was told (班主任, guardians, school leaders), when and how,
 * and why a guardian was not told. The psychology teachers of the school keep it.
 */
export default definePolicy({
  resource: 'crisis_disclosures',
  table: crisisDisclosures,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'crisisId', 'studentId'],
    told: ['role', 'channel', 'toldAt'],
    note: ['note'],
    notTold: ['notToldReason'],
    meta: ['recordedBy', 'recordedAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'school',
      read: ['keys', 'told', 'note', 'notTold', 'meta'],
      write: ['told', 'note', 'notTold'],
    },
  },
})
