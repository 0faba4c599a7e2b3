import { talkDuties } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * Generated 三个必谈 duties (student × window). Nobody writes them through the API: the job
 * generates them and a talk log fulfils them.
 *
 * School admins see compliance per class and window (issue 6): the window and the state of
 * each duty, never whose duty it is (no student, duty or log id).
 */
export default definePolicy({
  resource: 'talk_duties',
  table: talkDuties,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    window: ['kind', 'windowKey', 'windowStart', 'dueDate'],
    progress: ['classId', 'status'],
    fulfilment: ['talkLogId', 'fulfilledOn', 'createdAt'],
  },
  relations: { school: 'schoolId', class: 'classId', student: 'studentId' },
  roles: {
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'window', 'progress', 'fulfilment'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'window', 'progress', 'fulfilment'] },
  },
})
