import { barometerEntries } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 心理晴雨表 entries. Psychology teachers read every class's forms (the trend). A homeroom
 * teacher reads back their own forms; a class psychology monitor only when they submitted
 * (period and date), never the form's content once sent.
 */
export default definePolicy({
  resource: 'barometer_entries',
  table: barometerEntries,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    target: ['classId'],
    when: ['periodKey', 'createdAt'],
    submitter: ['submittedBy', 'submitterRole'],
    form: ['mood', 'events'],
    tally: ['namedCount'],
  },
  relations: { school: 'schoolId', class: 'classId', owner: 'submittedBy' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'target', 'when', 'submitter', 'form', 'tally'] },
    homeroom_teacher: { actions: ['create', 'list'], scope: 'own', read: ['keys', 'target', 'when', 'form', 'tally'], write: ['target', 'form'] },
    peer_monitor: { actions: ['create', 'list'], scope: 'own', read: ['keys', 'when'], write: ['target', 'form'] },
  },
})
