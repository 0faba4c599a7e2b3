import { letters } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 解忧树洞 letters: psychology teachers of the school only. Letters are anonymous and have no
 * student relation, so they never reach a student's archive even when they name one. The
 * danger flag is set only through the crisis route, the reply date and author by the server.
 */
export default definePolicy({
  resource: 'letters',
  table: letters,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'boxId'],
    letter: ['writtenOn', 'body', 'writerName', 'writerClass'],
    triage: ['category', 'urgent'],
    alarm: ['danger'],
    reply: ['replyText'],
    replyMeta: ['repliedOn', 'repliedBy'],
    secret: ['replyCodeHash'],
  },
  relations: { school: 'schoolId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'update', 'transition'],
      scope: 'school',
      read: ['keys', 'letter', 'triage', 'alarm', 'reply', 'replyMeta'],
      write: ['triage', 'reply'],
    },
  },
})
