import { letterBoxes } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 解忧树洞 letter box of a school: its public link and whether it is open. The key that
 * hashes reply codes is in a group no role reads or writes.
 */
export default definePolicy({
  resource: 'letter_boxes',
  table: letterBoxes,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    link: ['slug'],
    settings: ['open', 'closedMessage'],
    meta: ['updatedAt'],
    secret: ['codeKey'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'link', 'settings', 'meta'], write: ['settings'] },
    school_admin: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'link', 'settings', 'meta'], write: ['settings'] },
  },
})
