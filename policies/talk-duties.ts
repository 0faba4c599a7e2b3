import { talkDuties } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * Generated 三个必谈 duties (student × window). Nobody writes them through the API: the job
 * generates them and a talk log fulfils them.
 *
 * School admins get neither duties nor per-class compliance: monthly duties exist only for
 * students on the care list, so even counts per class and month would tell who is on it.
 * The district view carries compliance per school, suppressed.
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
    // The district tables' cell key: a group no role reads (only the release sums it).
    secret: ['cellKey'],
  },
  relations: { school: 'schoolId', class: 'classId', student: 'studentId' },
  roles: {
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'window', 'progress', 'fulfilment'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'window', 'progress', 'fulfilment'] },
  },
})
