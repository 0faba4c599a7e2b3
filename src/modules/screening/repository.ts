import { and, eq, sql } from 'drizzle-orm'
import {
  careList, classes, grades, instruments, screeningResponses,
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

export interface CoverageRow { class_id: string; seq: number; level: number; enrolled: number; screened: number }

/**
 * 覆盖率: per class of the campaign's grades, students screened (any instrument) over those
 * enrolled. Counts only — no student is named.
 */
export function coverage(ex: Executor, schoolId: string, campaignId: string, gradeLevels: number[]): Promise<CoverageRow[]> {
  return queryRows<CoverageRow>(ex, sql`
    select c.id as class_id, c.seq, g.level::int as level,
      (select count(*)::int from students s where s.school_id = c.school_id and s.class_id = c.id and s.status = 'enrolled') as enrolled,
      (select count(distinct r.student_id)::int from screening_responses r join students s
         on s.school_id = r.school_id and s.id = r.student_id
       where r.school_id = c.school_id and r.campaign_id = ${campaignId} and s.class_id = c.id) as screened
    from ${classes} c join ${grades} g on g.school_id = c.school_id and g.id = c.grade_id
    where c.school_id = ${schoolId}
      and g.level in (select json_array_elements_text(${JSON.stringify(gradeLevels)}::json)::int)
    order by g.level, c.seq`)
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
