import { safetyFormWordings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 本校措辞: a school's own Chinese wording of the safety assessment form's items. School-wide
 * text with no pupil in it: the psychology teachers who ask the questions set it, the school
 * administrator sees what the school uses.
 */
export default definePolicy({
  resource: 'safety_form_wordings',
  table: safetyFormWordings,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'formCode'],
    wording: ['texts'],
    meta: ['updatedBy', 'updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'update'], scope: 'school', read: ['keys', 'wording', 'meta'], write: ['wording'] },
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'wording', 'meta'] },
  },
})
