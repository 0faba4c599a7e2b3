import { screeningResponses } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 测评结果: item answers and scores are clinical data — psychology teachers of the school
 * only. Homeroom teachers learn that a student needs care through the care list, never
 * through answers, scores or bands.
 */
export default definePolicy({
  resource: 'screening_responses',
  table: screeningResponses,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'campaignId'],
    // Who and what was answered: set once, on entry.
    subject: ['studentId', 'instrumentId', 'screenedOn'],
    answers: ['answers'],
    scores: ['totalScore', 'band', 'suggestedRisk', 'safetyFlag'],
    confirmation: ['confirmedRisk', 'confirmReason', 'confirmedBy', 'confirmedAt'],
    meta: ['source', 'enteredBy', 'createdAt'],
    // Why answers were taken without the guardian's consent: free text, the psychology teacher's.
    consentOverride: ['consentOverrideReason'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'import'],
      scope: 'school',
      read: ['keys', 'subject', 'answers', 'scores', 'confirmation', 'meta', 'consentOverride'],
      // Scores are computed on the server; the teacher enters answers and confirms the risk.
      write: ['subject', 'answers', 'confirmation', 'consentOverride'],
    },
  },
})
