import { talkLogs } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * A homeroom teacher's record of a 三个必谈 talk. The summary is the teacher's own note about
 * a minor: readable by the homeroom teacher (own class, own logs) and the psychology teacher
 * (students with an open case: a row condition the talks service adds) — never by school
 * admins, mentors, monitors or the district.
 */
export default definePolicy({
  resource: 'talk_logs',
  table: talkLogs,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'classId', 'teacherId', 'createdAt'],
    subject: ['studentId'],
    talk: ['talkDate', 'kind', 'place', 'followUpNeeded', 'concerned'],
    content: ['summary'],
  },
  relations: { school: 'schoolId', class: 'classId', student: 'studentId', owner: 'teacherId' },
  audit: { sensitive: true },
  roles: {
    homeroom_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'class',
      read: ['keys', 'subject', 'talk', 'content'],
      // Class, teacher and ids come from the student and the caller, never from the body.
      write: ['subject', 'talk', 'content'],
    },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'subject', 'talk', 'content'] },
  },
})
