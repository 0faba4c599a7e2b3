import { instruments } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 测评工具: questionnaire definitions, not anyone's record. Built-in rows (school_id null) are
 * reference data every school reads; a school's own rows stay in that school.
 */
export default definePolicy({
  resource: 'instruments',
  table: instruments,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    identity: ['code', 'version', 'nameZh', 'nameEn', 'licence'],
    // Set by the server: true only for the rows XinAn ships.
    kind: ['builtIn'],
    definition: ['definition'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'school',
      read: ['keys', 'identity', 'kind', 'definition', 'meta'],
      write: ['identity', 'definition'],
    },
    // Campaign metadata names its instruments.
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'identity', 'kind'] },
  },
})
