import type { Decision } from '../../access/engine.js'
import { talkLogsDecision } from '../talks/scope.js'

/**
 * What the 心理成长档案 timeline is made of: each entry names a policy resource, the column
 * holding the student, and the date that places an item on the timeline. The archive reads
 * every source through the caller's policy (rows and fields), so a module adds its records
 * to the archive by adding a line here, and a role sees only what its policies allow.
 */
export interface TimelineSource {
  /** Policy resource (policies/*.ts). */
  resource: string
  /** Timeline item kind shown to the client. */
  kind: string
  /** Which of the six steps it belongs to (测评建档 … 及时转介), or talks. */
  step: 'screening' | 'pairing' | 'intervention' | 'peer' | 'parents' | 'referral' | 'talks'
  /** Column (JS name) naming the student. */
  studentField: string
  /** Column (JS name) with the item's date or time. */
  dateField: string
  /**
   * Row rules a module applies on top of the policy (e.g. talk logs: a homeroom teacher's
   * own, a psychology teacher's only for students with an open case). The archive applies
   * the same, so it never shows more than the module's own routes.
   */
  refine?: (d: Decision) => Decision
}

export const timelineSources: TimelineSource[] = [
  // Support: 师生结对, 同伴跟防, 家校协同, 及时转介.
  { resource: 'pairings', kind: 'pairing', step: 'pairing', studentField: 'studentId', dateField: 'startDate' },
  { resource: 'mentor_contacts', kind: 'mentor_contact', step: 'pairing', studentField: 'studentId', dateField: 'contactDate' },
  { resource: 'peer_alerts', kind: 'peer_alert', step: 'peer', studentField: 'studentId', dateField: 'createdAt' },
  { resource: 'peer_watch_requests', kind: 'peer_watch', step: 'peer', studentField: 'studentId', dateField: 'startDate' },
  { resource: 'peer_watch_notes', kind: 'peer_watch_note', step: 'peer', studentField: 'studentId', dateField: 'createdAt' },
  { resource: 'parent_contacts', kind: 'parent_contact', step: 'parents', studentField: 'studentId', dateField: 'contactDate' },
  { resource: 'referrals', kind: 'referral', step: 'referral', studentField: 'studentId', dateField: 'proposedAt' },
  { resource: 'referral_events', kind: 'referral_event', step: 'referral', studentField: 'studentId', dateField: 'at' },
  // 三个必谈 — the talks held and the duties they answered.
  { resource: 'talk_logs', kind: 'talk_log', step: 'talks', studentField: 'studentId', dateField: 'talkDate', refine: talkLogsDecision },
  { resource: 'talk_duties', kind: 'talk_duty', step: 'talks', studentField: 'studentId', dateField: 'dueDate' },
  // 心理辅导室 visits of a named student (walk-ins have none; letters are never linked).
  { resource: 'room_visits', kind: 'room_visit', step: 'intervention', studentField: 'studentId', dateField: 'visitDate' },
  // 测评建档 and 积极干预.
  { resource: 'screening_responses', kind: 'screening', step: 'screening', studentField: 'studentId', dateField: 'screenedOn' },
  { resource: 'care_list', kind: 'care_list', step: 'screening', studentField: 'studentId', dateField: 'addedAt' },
  { resource: 'cases', kind: 'case', step: 'intervention', studentField: 'studentId', dateField: 'openedAt' },
  { resource: 'case_events', kind: 'case_event', step: 'intervention', studentField: 'studentId', dateField: 'at' },
  { resource: 'intervention_plans', kind: 'plan', step: 'intervention', studentField: 'studentId', dateField: 'createdAt' },
  { resource: 'counselling_sessions', kind: 'session', step: 'intervention', studentField: 'studentId', dateField: 'sessionDate' },
  { resource: 'crisis_events', kind: 'crisis', step: 'intervention', studentField: 'studentId', dateField: 'openedAt' },
]
