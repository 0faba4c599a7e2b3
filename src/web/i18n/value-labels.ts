/**
 * Which set of labels a field's values take: `prefix.value` in the message tables.
 * The same field name means different things in different records (a case's `state` is not a
 * referral's), so a record's resource is looked up first, then the fields that mean the same
 * everywhere. test/web/labels.test.ts checks every value the server defines against this.
 */
const ANYWHERE: Record<string, string> = {
  riskLevel: 'risk', suggestedRisk: 'risk', confirmedRisk: 'risk', reassessedRisk: 'risk', riskFrom: 'risk', riskTo: 'risk',
  gender: 'gender', urgency: 'urgency', band: 'band', frequency: 'frequency', channel: 'contactChannel',
  referralConsent: 'referralConsent', submitterRole: 'role', role: 'role', employment: 'employment',
  category: 'category', topic: 'category', followUp: 'followUp', action: 'auditAction', outcome: 'auditOutcome',
}

const BY_RESOURCE: Record<string, Record<string, string>> = {
  students: { status: 'studentStatus' },
  holidays: { kind: 'holidayKind' },
  users: { status: 'userStatus', locale: 'userLocale' },
  audit_log: { resource: 'resource', outcome: 'auditOutcome' },
  mentor_contacts: { kind: 'mentorContact' },
  peer_alerts: { source: 'alertSource', status: 'alertStatus' },
  home_school_activities: { kind: 'activityKind' },
  institutions: { kind: 'institutionKind' },
  referrals: { state: 'referralState' },
  referral_events: { fromState: 'referralState', toState: 'referralState' },
  talk_rules: { kind: 'talk', target: 'talkTarget' },
  talk_duties: { kind: 'talk', status: 'duty' },
  talk_logs: { kind: 'talk' },
  notifications: { kind: 'notifyKind' },
  screening_campaigns: { status: 'campaignStatus' },
  screening_responses: { source: 'responseSource' },
  screening_consents: { guardianConsent: 'consentState.guardian', studentAssent: 'consentState.assent' },
  care_list: { source: 'careSource' },
  cases: { state: 'caseState', source: 'caseSource' },
  case_events: { fromState: 'caseState', toState: 'caseState' },
  counselling_sessions: { kind: 'sessionKind' },
  crisis_events: { source: 'crisisSource', status: 'crisisStatus' },
  crisis_checklist: { item: 'crisisStep' },
  safety_assessments: { disposition: 'disposition' },
  crisis_disclosures: { role: 'disclosureRole', channel: 'disclosureChannel' },
  safety_plans: { status: 'sp.status' },
  student_transfers: { status: 'transferStatus', parts: 'transferPart', consentMethod: 'consentMethod' },
  student_transfers_received: { status: 'transferStatus', parts: 'transferPart', consentMethod: 'consentMethod' },
  safety_plan_reviews: { context: 'sp.context' },
  escalation_chains: { kind: 'esc.chain' },
  school_channels: { kind: 'channels.kind' },
  district_stats: { stage: 'schoolStage' },
  rectification_items: { status: 'rectStatus' },
  school_profile: { stage: 'schoolStage' },
  self_checks: { periodKind: 'selfCheck.periodKind' },
  barometer_settings: { period: 'period' },
  leadership_members: { groupRole: 'groupRole' },
  emergency_drills: { reach: 'drillReach' },
  group_sessions: { kind: 'groupKind' },
  pairings: { teamRole: 'teamRole' },
  lesson_records: { kind: 'lessonKind', source: 'lessonSource' },
  school_activities: { kind: 'schoolActivityKind', reach: 'reach' },
  // The archive's own items and the access log's views.
  archive: { kind: 'kind', resource: 'resource', resources: 'resource' },
}

/** Where the client has no resource name for a record: what a bare field meant before records carried their resource name. */
const UNNAMED: Record<string, string> = { state: 'caseState', kind: 'talk', source: 'caseSource' }

/** The label prefix for `field` of a record of `resource`, if its values are enumerated. */
export function enumPrefixOf(field: string, resource?: string): string | undefined {
  if (resource) return BY_RESOURCE[resource]?.[field] ?? ANYWHERE[field]
  return ANYWHERE[field] ?? UNNAMED[field]
}
