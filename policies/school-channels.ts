import { schoolChannels } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * A school's outbound channels (group robots, SMTP, SMS). Only the school admin manages them.
 * The sealed secrets are a group no role reads: no answer ever carries a webhook URL, a signing
 * secret, a password or an API key — the admin sees whether each is set and the URL host's
 * last four characters (`hint`).
 */
export default definePolicy({
  resource: 'school_channels',
  table: schoolChannels,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'kind'],
    setup: ['enabled', 'settings'],
    meta: ['hint', 'updatedAt'],
    sealed: ['secretSealed'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'update'], scope: 'school', read: ['keys', 'setup', 'meta'], write: ['setup'] },
  },
})
