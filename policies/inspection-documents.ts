import { inspectionDocuments } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 督导资料: a file kept as evidence (meeting minutes, the yearly 工作方案, the 应急预案). The
 * school admin keeps them; psychology teachers read them. The size and uploader come from the
 * server, never from the body.
 */
export default definePolicy({
  resource: 'inspection_documents',
  table: inspectionDocuments,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    file: ['fileName', 'mediaType'],
    size: ['sizeBytes'],
    content: ['content'],
    meta: ['uploadedBy', 'createdAt'],
  },
  relations: { school: 'schoolId', owner: 'uploadedBy' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'delete'], scope: 'school', read: ['keys', 'file', 'size', 'content', 'meta'], write: ['file', 'content'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'file', 'size', 'content', 'meta'] },
  },
})
