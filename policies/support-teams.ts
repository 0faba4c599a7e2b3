import { supportTeams } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 多帮一 support teams. The psychology teachers form and end them; each member's access is
 * their own pairing (pairings.team_id), so a member reads the team only while paired. The
 * homeroom teacher sees that a team exists around a pupil of their class; why it ended stays
 * with the psychology teachers.
 */
export default definePolicy({
  resource: 'support_teams',
  table: supportTeams,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    team: ['purpose', 'startDate'],
    status: ['endedAt'],
    ending: ['endedReason'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition'],
      scope: 'school',
      read: ['keys', 'team', 'status', 'ending', 'meta'],
      write: ['team', 'ending'],
    },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'team', 'status'] },
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'team', 'status'] },
  },
})
