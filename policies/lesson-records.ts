import { lessonRecords } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 课程记录: which lessons a class held (kind, day, 课时, topic); no student is named. The
 * homeroom teacher records their own class's lessons, the psychology teachers any class of
 * the school; the school admin reads them and enters the timetable's regular lessons.
 */
export default definePolicy({
  resource: 'lesson_records',
  table: lessonRecords,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    // The class a lesson is entered for (within the caller's classes); never moved afterwards.
    place: ['classId'],
    lesson: ['kind', 'heldOn', 'periods', 'topic'],
    origin: ['teacherId', 'source'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', class: 'classId' },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'create', 'update', 'delete', 'export'], scope: 'school', read: ['keys', 'place', 'lesson', 'origin', 'meta'], write: ['place', 'lesson'] },
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete', 'export'], scope: 'school', read: ['keys', 'place', 'lesson', 'origin', 'meta'], write: ['place', 'lesson'] },
    homeroom_teacher: { actions: ['read', 'list', 'create', 'update', 'delete', 'export'], scope: 'class', read: ['keys', 'place', 'lesson', 'origin', 'meta'], write: ['place', 'lesson'] },
  },
})
