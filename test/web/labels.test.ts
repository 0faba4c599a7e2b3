import t from '../helpers/tap.js'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { policies } from '../../policies/index.js'
import { timelineSources } from '../../src/modules/archive/sources.js'
import { roleList } from '../../src/access/roles.js'
import { StudentStatuses, Genders, UserStatuses, UserLocales, HolidayKinds } from '../../src/modules/roster/schemas.js'
import { CaseStates, CaseSources, CrisisStatuses, CrisisSteps } from '../../src/modules/cases/states.js'
import { Dispositions } from '../../src/modules/cases/safety-form.js'
import { DisclosureChannels, DisclosureRoles } from '../../src/modules/cases/safety-assessment-schemas.js'
import { ReviewContexts } from '../../src/modules/cases/safety-plan-schemas.js'
import { EscalationKinds } from '../../src/modules/escalation/chain.js'
import { ChannelKinds } from '../../src/modules/outbox/channels/types.js'
import { SessionKinds } from '../../src/modules/cases/schemas.js'
import { DutyKinds, DutyStatuses, LogKinds, Targets } from '../../src/modules/talks/rules.js'
import { PairingFrequencies, MentorContactKinds } from '../../src/modules/support/pairing-schemas.js'
import { ReferralStates } from '../../src/modules/support/referral-rules.js'
import { Urgencies, AlertStatuses } from '../../src/modules/support/alert-rules.js'
import { ContactChannels, ReferralConsents } from '../../src/modules/support/parent-contact-schemas.js'
import { ActivityKinds } from '../../src/modules/support/parent-activity-schemas.js'
import { InstitutionKinds } from '../../src/modules/support/referral-institution-schemas.js'
import { CampaignStatuses } from '../../src/modules/screening/schemas.js'
import { RiskLevels } from '../../src/modules/screening/risk-levels.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import { GuardianConsents, StudentAssents } from '../../src/modules/screening/consent-rules.js'
import { Categories, FollowUps, Periods, Employments } from '../../src/modules/practices/schemas.js'
import { RectificationStatuses } from '../../src/modules/inspection/rectification-schemas.js'
import { GroupRoles, Reaches } from '../../src/modules/inspection/records-schemas.js'
import { GroupKinds } from '../../src/modules/practices/schemas.js'
import { TeamRoles } from '../../src/modules/support/team-schemas.js'
import { ConsentMethods, TransferParts, TransferStatuses } from '../../src/modules/transfers/schemas.js'
import { ActivityKinds as SchoolActivityKinds, ActivityReaches, LessonKinds, LessonSources } from '../../src/modules/inspection/lessons-schemas.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/**
 * Nothing the API sends reaches a screen as a code. Generated from the server's own
 * definitions — every field a policy lets some role read, every enumerated value a module
 * defines, every timeline kind and audited resource — so a new field or value without a
 * label in both languages fails here, not on a teacher's screen.
 */
// The client's modules are checked by src/web's own tsconfig (bundler resolution, no extensions);
// a computed specifier keeps the server's typecheck from following them.
const web = (path: string) => import(resolve(import.meta.dirname, '../../src/web', path))
const { zhCN, en } = await web('i18n/messages.ts') as { zhCN: Record<string, string>; en: Record<string, string> }
const { enumPrefixOf } = await web('i18n/value-labels.ts') as { enumPrefixOf: (field: string, resource?: string) => string | undefined }
const zh = zhCN
const enT = en
const isReference = (k: string) => k === 'id' || /(Id|Ids|Ref|By|Hash)$/.test(k)
const both = (key: string) => Boolean(zh[key]?.trim() && enT[key]?.trim())

test('every field a role may read has a label in Chinese and English', async (t) => {
  const missing: string[] = []
  for (const p of policies) {
    const groups = p.fields as Record<string, readonly string[]>
    const readable = new Set(Object.values(p.roles ?? {}).flatMap((r) => (r?.read ?? []).flatMap((g: string) => groups[g] ?? [])))
    for (const f of readable) if (!isReference(f) && !both(`field.${f}`)) missing.push(`${p.resource}.${f}`)
  }
  t.same(missing, [], 'fields without a label')
})

test('every field group and every column of a policy has words (the compliance report lists them all)', async (t) => {
  const missing: string[] = []
  for (const p of policies) {
    for (const [group, fields] of Object.entries(p.fields as Record<string, readonly string[]>)) {
      if (!both(`fieldGroup.${group}`) && !both(`fieldGroup.${p.resource}.${group}`)) missing.push(`${p.resource}: group ${group}`)
      for (const f of fields) if (!both(`field.${f}`)) missing.push(`${p.resource}.${f}`)
    }
  }
  t.same(missing, [], 'groups and columns without words')
})

test('every field a screen lists as a column has a label', async (t) => {
  const root = resolve(import.meta.dirname, '../../src/web')
  const files: string[] = []
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (/\.tsx?$/.test(f)) files.push(p)
    }
  }
  walk(root)
  const missing: string[] = []
  let columns = 0
  for (const file of files) {
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(/order=\{\[([^\]]*)\]/g)) {
      // A title given beside the order (titles={{ key: t('…') }}) in the same element counts too.
      const element = src.slice(Math.max(0, src.lastIndexOf('<', m.index)), src.indexOf('/>', m.index) + 2)
      const titled = new Set([...(/titles=\{\{([^}]*)\}\}/.exec(element)?.[1] ?? '').matchAll(/(\w+):/g)].map((x) => x[1]))
      for (const q of m[1]!.matchAll(/'([^']+)'/g)) {
        columns++
        if (!titled.has(q[1]!) && !both(`field.${q[1]}`)) missing.push(`${relative(root, file)}: ${q[1]}`)
      }
    }
  }
  t.ok(columns > 50, `the client's tables were found (${columns} columns)`)
  t.same(missing, [], 'columns without a label')
})

// Bands of the total and those a safety item names (the ASQ's acute positive) are both stored as a response's band.
const bands = [...new Set(BUILT_IN_INSTRUMENTS.flatMap((i) => [...i.definition.bands, ...(i.definition.flagBands ?? [])].map((b) => b.code)))]
const auditActions = ['C', 'R', 'U', 'D', 'E', 'denied']

/** Every enumerated field the API sends: [resource, field, the values the server defines]. */
const ENUMERATED: Array<[string, string, readonly (string | number)[]]> = [
  ['students', 'status', StudentStatuses], ['students', 'gender', Genders],
  ['users', 'status', UserStatuses], ['users', 'locale', UserLocales], ['user_roles', 'role', roleList],
  ['holidays', 'kind', HolidayKinds],
  ['audit_log', 'action', auditActions], ['audit_log', 'outcome', ['ok', 'denied', 'not_found', 'rejected']],
  ['audit_log', 'resource', policies.map((p) => p.resource)],
  ['pairings', 'frequency', PairingFrequencies], ['mentor_contacts', 'kind', MentorContactKinds],
  ['peer_alerts', 'urgency', Urgencies], ['peer_alerts', 'status', AlertStatuses], ['peer_alerts', 'source', ['monitor', 'talk', 'barometer', 'letter']],
  ['parent_contacts', 'channel', ContactChannels], ['parent_contacts', 'referralConsent', ReferralConsents],
  ['home_school_activities', 'kind', ActivityKinds], ['institutions', 'kind', InstitutionKinds],
  ['referrals', 'state', ReferralStates], ['referral_events', 'fromState', ReferralStates], ['referral_events', 'toState', ReferralStates],
  ['talk_rules', 'kind', DutyKinds], ['talk_rules', 'target', Targets],
  ['talk_duties', 'kind', DutyKinds], ['talk_duties', 'status', DutyStatuses], ['talk_logs', 'kind', LogKinds],
  ['notifications', 'kind', ['crisis_escalated', 'alert_received', 'alert_escalated', 'talk_concerned', 'referral_overdue', 'screening_reminder', 'audit_failed', 'rectification_overdue']],
  ['screening_campaigns', 'status', CampaignStatuses],
  ['screening_responses', 'band', bands], ['screening_responses', 'source', ['api', 'import']],
  ['screening_responses', 'suggestedRisk', RiskLevels], ['screening_responses', 'confirmedRisk', RiskLevels],
  ['screening_consents', 'guardianConsent', GuardianConsents], ['screening_consents', 'studentAssent', StudentAssents],
  ['care_list', 'riskLevel', RiskLevels],
  ['cases', 'state', CaseStates], ['cases', 'source', CaseSources], ['cases', 'riskLevel', RiskLevels],
  ['case_events', 'fromState', CaseStates], ['case_events', 'toState', CaseStates],
  ['counselling_sessions', 'kind', SessionKinds],
  ['crisis_events', 'status', CrisisStatuses], ['crisis_events', 'source', ['safety_rule', 'manual', 'alert', 'letter']],
  ['crisis_checklist', 'item', CrisisSteps],
  ['safety_assessments', 'disposition', Dispositions],
  ['crisis_disclosures', 'role', DisclosureRoles], ['crisis_disclosures', 'channel', DisclosureChannels],
  ['safety_plans', 'status', ['active', 'ended']], ['safety_plan_reviews', 'context', ReviewContexts],
  ['escalation_chains', 'kind', EscalationKinds], ['school_channels', 'kind', ChannelKinds],
  ['district_stats', 'stage', ['primary', 'junior', 'senior', 'nine_year', 'complete']],
  ['school_profile', 'stage', ['primary', 'junior', 'senior', 'nine_year', 'complete']],
  ['letters', 'category', Categories], ['room_visits', 'topic', Categories], ['room_visits', 'followUp', FollowUps],
  ['barometer_settings', 'period', Periods], ['barometer_entries', 'submitterRole', ['homeroom_teacher', 'peer_monitor']],
  ['staff_profiles', 'employment', Employments],
  ['rectification_items', 'status', RectificationStatuses],
  ['self_checks', 'periodKind', ['term', 'school_year']],
  ['student_transfers', 'status', TransferStatuses], ['student_transfers', 'parts', TransferParts], ['student_transfers', 'consentMethod', ConsentMethods],
  ['student_transfers_received', 'status', TransferStatuses], ['student_transfers_received', 'parts', TransferParts],
  ['notifications', 'kind', ['transfer_received', 'transfer_accepted', 'transfer_declined', 'transfer_reminder']],
  ['leadership_members', 'groupRole', GroupRoles], ['emergency_drills', 'reach', Reaches],
  ['group_sessions', 'kind', GroupKinds], ['pairings', 'teamRole', TeamRoles],
  ['lesson_records', 'kind', LessonKinds], ['lesson_records', 'source', LessonSources],
  ['school_activities', 'kind', SchoolActivityKinds], ['school_activities', 'reach', ActivityReaches],
  ['archive', 'kind', timelineSources.map((s) => s.kind)],
  ['archive', 'resources', policies.map((p) => p.resource)],
]

test('every enumerated value the server defines has a label in both languages', async (t) => {
  t.ok(bands.includes('moderately_severe'), 'the instruments’ bands are read')
  t.ok(bands.includes('acute_positive'), 'and the bands a safety item names')
  const missing: string[] = []
  for (const [resource, field, values] of ENUMERATED) {
    const prefix = enumPrefixOf(field, resource)
    if (!prefix) {
      missing.push(`${resource}.${field}: no label set`)
      continue
    }
    for (const v of values) if (!both(`${prefix}.${v}`)) missing.push(`${resource}.${field} = ${v} (${prefix}.${v})`)
  }
  t.same(missing, [], 'values without a label')
})

test('every enumerated column of the database is in the list above', async (t) => {
  // The schema documents a text column's values as `/** a | b | c */`: each such column must be
  // in ENUMERATED (by its policy resource), so a new one cannot be added without its labels.
  const schemaDir = resolve(import.meta.dirname, '../../db/schema')
  const tableOf = new Map(policies.map((p) => [(p.table as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')], p.resource]))
  const known = new Set(ENUMERATED.map(([r, f]) => `${r}.${f}`))
  const unlisted: string[] = []
  let seen = 0
  for (const file of readdirSync(schemaDir)) {
    const src = readFileSync(join(schemaDir, file), 'utf8')
    let table: string | undefined
    const lines = src.split('\n')
    lines.forEach((line, i) => {
      const tm = /pgTable\('([a-z_]+)'/.exec(line)
      if (tm) table = tm[1]
      if (!/^\s*\/\*\* [a-z_]+( \| [a-z_]+)+\b/.test(line)) return
      const col = /^\s*(\w+):/.exec(lines[i + 1] ?? '')
      const resource = table && tableOf.get(table)
      if (!col || !resource) return
      seen++
      if (!known.has(`${resource}.${col[1]}`)) unlisted.push(`${resource}.${col[1]}`)
    })
  }
  t.ok(seen > 20, `enumerated columns found in db/schema (${seen})`)
  t.same(unlisted, [], 'enumerated columns with no labels checked')
})

test('every role has a name', async (t) => {
  t.same(roleList.filter((r) => !both(`role.${r}`)), [])
})
