import { rectificationNotes } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 整改进展: progress notes on a problem, with a document as evidence; the admin and psychology teachers add them. */
export default definePolicy({
  resource: 'rectification_notes',
  table: rectificationNotes,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'itemId'],
    note: ['notedOn', 'body', 'documentId'],
    meta: ['authorId', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'note', 'meta'], write: ['note'] },
    psych_teacher: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'note', 'meta'], write: ['note'] },
  },
})
