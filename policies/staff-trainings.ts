import { staffTrainings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 队伍建设: training courses staff took. The school admin keeps them all; psychology teachers
 * read them all and add anyone's (one by one or from a file); a homeroom teacher records and
 * reads only their own (a row naming someone else is out of their scope: 404, nothing kept).
 */
export default definePolicy({
  resource: 'staff_trainings',
  table: staffTrainings,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    who: ['userId', 'name'],
    training: ['course', 'provider', 'hours', 'completedOn', 'certificate'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', owner: 'userId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete', 'import', 'export'], scope: 'school', read: ['keys', 'who', 'training', 'meta'], write: ['who', 'training'] },
    psych_teacher: { actions: ['read', 'list', 'create', 'import', 'export'], scope: 'school', read: ['keys', 'who', 'training', 'meta'], write: ['who', 'training'] },
    homeroom_teacher: { actions: ['read', 'list', 'create'], scope: 'own', read: ['keys', 'who', 'training', 'meta'], write: ['who', 'training'] },
  },
})
