import { students } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 学生名册. Case content lives in other resources; this is who the student is and where. */
export default definePolicy({
  resource: 'students',
  table: students,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    identity: ['studentNo', 'name', 'gender', 'classId', 'status'],
    personal: ['birthDate', 'leftAt', 'nationalId'],
    meta: ['createdAt', 'updatedAt'],
  },
  relations: { school: 'schoolId', class: 'classId', student: 'id' },
  roles: {
    school_admin: {
      actions: ['read', 'list', 'create', 'update', 'delete', 'import', 'export'],
      scope: 'school',
      read: ['keys', 'identity', 'personal', 'meta'],
      write: ['identity', 'personal'],
    },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'identity', 'personal', 'meta'] },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'identity', 'personal'] },
    // 结对教师: basic details of paired students only, while the pairing is active.
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'identity'] },
  },
})
