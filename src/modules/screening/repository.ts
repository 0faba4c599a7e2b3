import { and, eq, sql } from 'drizzle-orm'
import {
  careList, classes, grades, instruments, screeningCampaigns, screeningConsents, screeningResponses,
} from '../../../db/schema/index.js'
import { queryRows, type Executor } from '../../db/database.js'
import { BUILT_IN_INSTRUMENTS } from './instruments/index.js'
import { InstrumentDefinition } from './instrument-schema.js'

/**
 * Drizzle queries of 测评建档 that the rules need (reference rows, counts, states), nothing
 * else: records are read and written through the access gateway (the services). Every
 * statement names the school beside the id, even where row-level security would catch it;
 * `instruments` is a reference table without RLS.
 */

// ── instruments ───────────────────────────────────────────────────────────────────────

/**
 * Built-in instruments exist in every database: inserted at start with their fixed ids,
 * idempotently (a second instance or a restart changes nothing). A new wording is a new
 * version with a new id, so an existing row is never rewritten.
 */
export async function ensureBuiltInInstruments(ex: Executor): Promise<void> {
  await ex.insert(instruments).values(BUILT_IN_INSTRUMENTS.map(({ id, definition: d }) => ({
    id,
    schoolId: null,
    code: d.code,
    version: d.version,
    nameZh: d.name['zh-CN'],
    nameEn: d.name.en,
    definition: d,
    licence: d.licence,
    builtIn: true,
  }))).onConflictDoNothing()
}

export interface LoadedInstrument { id: string; code: string; definition: InstrumentDefinition }

/** Definitions for scoring: the school's own or built-in rows only. */
export async function definitionsOf(ex: Executor, schoolId: string, ids: string[]): Promise<Map<string, LoadedInstrument>> {
  if (ids.length === 0) return new Map()
  const rows = await ex.select({ id: instruments.id, code: instruments.code, definition: instruments.definition }).from(instruments)
    .where(and(
      sql`${instruments.id} in (select json_array_elements_text(${JSON.stringify(ids)}::json)::uuid)`,
      sql`(${instruments.schoolId} is null or ${instruments.schoolId} = ${schoolId})`,
    ))
  return new Map(rows.map((r) => [r.id, { id: r.id, code: r.code, definition: InstrumentDefinition.parse(r.definition) }]))
}

/** Codes of instruments (reference data: names a response's instrument for display). */
export async function instrumentCodes(ex: Executor, schoolId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await ex.select({ id: instruments.id, code: instruments.code }).from(instruments)
    .where(and(
      sql`${instruments.id} in (select json_array_elements_text(${JSON.stringify([...new Set(ids)])}::json)::uuid)`,
      sql`(${instruments.schoolId} is null or ${instruments.schoolId} = ${schoolId})`,
    ))
  return new Map(rows.map((r) => [r.id, r.code]))
}

// ── campaigns ─────────────────────────────────────────────────────────────────────────

export function hasResponses(ex: Executor, schoolId: string, campaignId: string): Promise<boolean> {
  return queryRows(ex, sql`select 1 from ${screeningResponses} where ${screeningResponses.schoolId} = ${schoolId}
    and ${screeningResponses.campaignId} = ${campaignId} limit 1`).then((r) => r.length > 0)
}

export interface CoverageRow { class_id: string; seq: number; level: number; enrolled: number; screened: number; no_consent: number }

/**
 * Whether a consent row lets answers be taken (SQL over the alias `k`, which may be null: no
 * row is a slip not returned). The same rule as consent-rules.ts consentBlock.
 */
const CONSENT_OK = sql.raw(`(k.guardian_consent = 'given' and k.student_assent <> 'refused')`)

/**
 * 覆盖率: per class of the campaign's grades, students screened (any instrument) over those
 * enrolled, and — when the campaign requires consent — the enrolled students not screened who
 * have no consent (未获同意), so they are counted apart from those simply not screened yet.
 * Counts only — no student is named.
 */
export function coverage(ex: Executor, schoolId: string, campaignId: string, gradeLevels: number[], consentRequired: boolean): Promise<CoverageRow[]> {
  return queryRows<CoverageRow>(ex, sql`
    select c.id as class_id, c.seq, g.level::int as level,
      (select count(*)::int from students s where s.school_id = c.school_id and s.class_id = c.id and s.status = 'enrolled') as enrolled,
      (select count(distinct r.student_id)::int from screening_responses r join students s
         on s.school_id = r.school_id and s.id = r.student_id
       where r.school_id = c.school_id and r.campaign_id = ${campaignId} and s.class_id = c.id) as screened,
      (select count(*)::int from students s
         left join screening_consents k on k.school_id = s.school_id and k.campaign_id = ${campaignId} and k.student_id = s.id
       where ${consentRequired} and s.school_id = c.school_id and s.class_id = c.id and s.status = 'enrolled'
         and not coalesce(${CONSENT_OK}, false)
         and not exists (select 1 from screening_responses r where r.school_id = s.school_id and r.campaign_id = ${campaignId} and r.student_id = s.id)) as no_consent
    from ${classes} c join ${grades} g on g.school_id = c.school_id and g.id = c.grade_id
    where c.school_id = ${schoolId}
      and g.level in (select json_array_elements_text(${JSON.stringify(gradeLevels)}::json)::int)
    order by g.level, c.seq`)
}

/** What the consent rules need of a campaign (no student data); undefined when the school has no such campaign. */
export async function campaignFacts(ex: Executor, schoolId: string, id: string) {
  const rows = await ex.select({
    id: screeningCampaigns.id, gradeLevels: screeningCampaigns.gradeLevels, consentRequired: screeningCampaigns.consentRequired,
  }).from(screeningCampaigns).where(and(eq(screeningCampaigns.schoolId, schoolId), eq(screeningCampaigns.id, id)))
  return rows[0]
}

// ── consent ───────────────────────────────────────────────────────────────────────────

export interface ConsentState { guardian: string; assent: string }

/**
 * The consent states of these students in a campaign, for the rule that refuses answers
 * without consent (never shown: the rule only answers whether, and why not, to whoever enters).
 */
export async function consentStates(ex: Executor, schoolId: string, campaignId: string, studentIds: string[]): Promise<Map<string, ConsentState>> {
  if (studentIds.length === 0) return new Map()
  const rows = await ex.select({ studentId: screeningConsents.studentId, guardian: screeningConsents.guardianConsent, assent: screeningConsents.studentAssent })
    .from(screeningConsents)
    .where(and(
      eq(screeningConsents.schoolId, schoolId), eq(screeningConsents.campaignId, campaignId),
      sql`${screeningConsents.studentId} in (select json_array_elements_text(${JSON.stringify(studentIds)}::json)::uuid)`,
    ))
  return new Map(rows.map((r) => [r.studentId, { guardian: r.guardian, assent: r.assent }]))
}

/** Which of these students already have a consent row in the campaign (ids only). */
export async function consentRowsOf(ex: Executor, schoolId: string, campaignId: string, studentIds: string[]): Promise<Set<string>> {
  return new Set((await consentStates(ex, schoolId, campaignId, studentIds)).keys())
}

export interface ConsentCounts { enrolled: number; given: number; refused: number; not_returned: number; assent_refused: number; assent_given: number }

/**
 * Consent counts of one class's enrolled students in a campaign. `given` counts the students
 * whose answers may be taken (guardian consent given and no refusal of their own).
 */
export async function consentCounts(ex: Executor, schoolId: string, campaignId: string, classId: string): Promise<ConsentCounts> {
  const rows = await queryRows<ConsentCounts>(ex, sql`
    select count(*)::int as enrolled,
      count(*) filter (where coalesce(${CONSENT_OK}, false))::int as given,
      count(*) filter (where k.guardian_consent = 'refused')::int as refused,
      count(*) filter (where k.guardian_consent is null or k.guardian_consent = 'not_returned')::int as not_returned,
      count(*) filter (where k.student_assent = 'refused')::int as assent_refused,
      count(*) filter (where k.student_assent = 'given')::int as assent_given
    from students s
    left join screening_consents k on k.school_id = s.school_id and k.campaign_id = ${campaignId} and k.student_id = s.id
    where s.school_id = ${schoolId} and s.class_id = ${classId} and s.status = 'enrolled'`)
  return rows[0]!
}

/** Students of these who have any response in the campaign. */
export async function screenedStudents(ex: Executor, schoolId: string, campaignId: string, studentIds: string[]): Promise<Set<string>> {
  if (studentIds.length === 0) return new Set()
  const rows = await ex.selectDistinct({ studentId: screeningResponses.studentId }).from(screeningResponses)
    .where(and(
      eq(screeningResponses.schoolId, schoolId), eq(screeningResponses.campaignId, campaignId),
      sql`${screeningResponses.studentId} in (select json_array_elements_text(${JSON.stringify(studentIds)}::json)::uuid)`,
    ))
  return new Set(rows.map((r) => r.studentId))
}

// ── students as the screening sees them ───────────────────────────────────────────────

/** Grade level of each class of the school (no personal data). */
export async function classLevels(ex: Executor, schoolId: string): Promise<Map<string, number>> {
  const rows = await ex.select({ id: classes.id, level: grades.level }).from(classes)
    .innerJoin(grades, and(eq(grades.schoolId, classes.schoolId), eq(grades.id, classes.gradeId)))
    .where(eq(classes.schoolId, schoolId))
  return new Map(rows.map((r) => [r.id, r.level]))
}

// ── responses ─────────────────────────────────────────────────────────────────────────

/**
 * The (student, instrument) pairs of these students the campaign already has a response for,
 * as 'studentId:instrumentId': an import skips them (importing a file twice changes nothing).
 */
export async function answeredPairs(ex: Executor, schoolId: string, campaignId: string, studentIds: string[]): Promise<Set<string>> {
  if (studentIds.length === 0) return new Set()
  const rows = await ex.select({ studentId: screeningResponses.studentId, instrumentId: screeningResponses.instrumentId }).from(screeningResponses)
    .where(and(
      eq(screeningResponses.schoolId, schoolId), eq(screeningResponses.campaignId, campaignId),
      sql`${screeningResponses.studentId} in (select json_array_elements_text(${JSON.stringify(studentIds)}::json)::uuid)`,
    ))
  return new Set(rows.map((r) => `${r.studentId}:${r.instrumentId}`))
}

// ── care list ─────────────────────────────────────────────────────────────────────────

export function activeCareEntry(ex: Executor, schoolId: string, studentId: string) {
  return ex.select({ id: careList.id }).from(careList)
    .where(and(eq(careList.schoolId, schoolId), eq(careList.studentId, studentId), sql`${careList.removedAt} is null`)).limit(1)
    .then((r) => r[0])
}
