import { holidays, terms } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

const staffRead = { actions: ['read', 'list'], scope: 'school', read: ['keys', 'info'] } as const

/** 校历: terms and holidays drive the 三个必谈 duties; every teacher of the school reads them. */
export const termsPolicy = definePolicy({
  resource: 'terms',
  table: terms,
  idColumn: 'id',
  fields: { keys: ['id', 'schoolId'], info: ['schoolYear', 'semester', 'name', 'startDate', 'endDate'] },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'info'], write: ['info'] },
    psych_teacher: staffRead,
    homeroom_teacher: staffRead,
  },
})

export const holidaysPolicy = definePolicy({
  resource: 'holidays',
  table: holidays,
  idColumn: 'id',
  fields: { keys: ['id', 'schoolId'], info: ['name', 'kind', 'startDate', 'endDate', 'major'] },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'info'], write: ['info'] },
    psych_teacher: staffRead,
    homeroom_teacher: staffRead,
  },
})
