import { randomUUID } from 'node:crypto'
import { inArray, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { guardians, students } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { Decision } from '../../access/engine.js'
import { AppError, Forbidden } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { gradeName } from './grade-names.js'
import { checkRosterFile, ROSTER_COLUMNS, type FileKind, type RosterRow, type RowError } from './import.js'
import { translate } from '../../lib/i18n.js'
import { sheetLimitsOf } from '../../lib/spreadsheet/reader.js'
import { columnLabel } from './roster-template.js'

/** Student fields an import writes; the caller's policy must allow every one of them. */
const STUDENT_FIELDS = ['studentNo', 'nationalId', 'name', 'gender', 'birthDate', 'classId', 'status']
const GUARDIAN_FIELDS = ['name', 'relation', 'phone', 'isPrimary']

/**
 * Rows per write statement. On the embedded database each statement runs on the event loop's
 * thread, so a large file is written in slices with the loop yielded between them; the slices
 * share the import's one transaction (all or nothing).
 */
const WRITE_CHUNK = 250
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

async function inSlices<T>(rows: T[], write: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    if (i > 0) await yieldLoop()
    await write(rows.slice(i, i + WRITE_CHUNK))
  }
}

async function readInSlices<T, R>(keys: T[], read: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = []
  await inSlices(keys, async (slice) => { out.push(...await read(slice)) })
  return out
}

/** A student as the import writes it. */
interface StudentRow { id: string; studentNo: string; nationalId: string | null; name: string; gender: string; birthDate: string | null; classId: string; status: string }
/** A guardian as the import writes it. */
interface GuardianRow { id: string; studentId: string; name: string; relation: string; phone: string | null; isPrimary: boolean }

/**
 * One column's new value for each row of a slice, chosen by the row's id: the rows of a slice
 * each change differently, and are still written by one UPDATE.
 */
function perRow<T extends { id: string }>(idColumn: PgColumn, rows: T[], value: (r: T) => unknown, type: string): SQL {
  return sql`(case ${idColumn} ${sql.join(rows.map((r) => sql`when ${r.id}::uuid then ${value(r)}`), sql` `)} end)::${sql.raw(type)}`
}

export interface ImportOutcome { created: number; updated: number; unchanged: number; rows: number }
/** A dry run's answer: what the import would do with the good rows, and every bad row (up to the listed cap). */
export interface ImportPlan extends ImportOutcome { badRows: number; errors: Array<RowError & { label?: string }> }

export function createImportService(gw: Gateway) {
  return {
    /**
     * 学生名册导入: all rows are checked first (any bad row → 422, nothing written); then one
     * transaction creates missing grades and classes, upserts students by 学号 and guardians
     * by (student, name), and appends one audit row naming the affected students by id.
     */
    async importStudents(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale): Promise<ImportOutcome> {
      return plan(ctx, file, kind, locale, false)
    },

    /**
     * 导入预览 (dry run): the same checks and the same comparison with what is on file, but the
     * bad rows are listed instead of rejecting, and nothing is written — grades and classes the
     * file would create get ids that exist only in this answer's arithmetic.
     */
    async previewStudents(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale): Promise<ImportPlan> {
      const p = await plan(ctx, file, kind, locale, true)
      // Read on a screen, apart from the file: each reason names its column in the reader's language.
      const sep = locale === 'en' ? ': ' : '：'
      return { ...p, errors: p.errors.map((e) => ({ ...e, label: columnLabel(e.field, locale), reason: `${columnLabel(e.field, locale)}${sep}${e.reason}` })) }
    },
  }

  async function plan(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale, dryRun: false): Promise<ImportOutcome>
  async function plan(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale, dryRun: true): Promise<ImportPlan>
  async function plan(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale, dryRun: boolean): Promise<ImportOutcome | ImportPlan> {
      ctx.decision.assertWritable(STUDENT_FIELDS)
      const { rows, errors, badRows } = await checkRosterFile(file, kind, sheetLimitsOf(gw.config), locale)
      if (dryRun && rows.length === 0 && badRows > 0) return { created: 0, updated: 0, unchanged: 0, rows: 0, badRows, errors }
      if (badRows > 0 && !dryRun) throw new AppError(422, 'import_rejected', { count: badRows }, { errors, truncated: errors.length < badRows ? true : undefined })
      if (rows.length === 0) throw new AppError(422, 'import_empty')

      const withGuardian = rows.some((r) => r.guardianName)
      const guardianWrite = withGuardian ? gw.policies.decide(ctx.actor, 'guardians', 'create') : null
      const guardianUpdate = withGuardian ? gw.policies.decide(ctx.actor, 'guardians', 'update') : null
      if (withGuardian) {
        if (!guardianWrite || !guardianUpdate) throw new Forbidden()
        guardianWrite.assertWritable(GUARDIAN_FIELDS)
      }
      const schoolId = ctx.actor.schoolId!

      return gw.tx(ctx, async (tx) => {
        // Grades and classes the file names but the school lacks are created on the way.
        const gradeByLevel = new Map((await repo.gradesOfSchool(tx, schoolId)).map((g) => [g.level, g]))
        const newLevels = [...new Set(rows.map((r) => r.gradeLevel))].filter((l) => !gradeByLevel.has(l))
        if (newLevels.length) {
          const d = mayCreate(gw, ctx, 'grades', ['level', 'name'])
          const fresh = newLevels.map((level) => ({ level, name: gradeName(level) }))
          const made = dryRun
            ? fresh.map((g) => ({ ...g, id: randomUUID() }))
            : (await gw.createMany(tx, ctx, d, fresh.map((g) => ({ input: g, values: { schoolId } })), false))
              .map((g) => ({ id: g.id as string, level: g.level as number, name: g.name as string }))
          for (const g of made) gradeByLevel.set(g.level, g)
        }
        const classKey = (gradeId: string, seq: number) => `${gradeId}:${seq}`
        const classByKey = new Map((await repo.classesOfSchool(tx, schoolId)).map((c) => [classKey(c.gradeId, c.seq), c.id]))
        const missing = new Map<string, { gradeId: string; seq: number; name: string }>()
        for (const r of rows) {
          const grade = gradeByLevel.get(r.gradeLevel)!
          const key = classKey(grade.id, r.classSeq)
          if (!classByKey.has(key) && !missing.has(key)) missing.set(key, { gradeId: grade.id, seq: r.classSeq, name: `${grade.name}(${r.classSeq})班` })
        }
        if (missing.size) {
          const d = mayCreate(gw, ctx, 'classes', ['gradeId', 'seq', 'name'])
          const fresh = [...missing.values()]
          const made = dryRun
            ? fresh.map((c) => ({ ...c, id: randomUUID() }))
            : (await gw.createMany(tx, ctx, d, fresh.map((c) => ({ input: c, values: { schoolId } })), false))
              .map((c) => ({ id: c.id as string, gradeId: c.gradeId as string, seq: c.seq as number }))
          for (const c of made) classByKey.set(classKey(c.gradeId, c.seq), c.id)
        }
        const classIdOf = (r: RosterRow) => classByKey.get(classKey(gradeByLevel.get(r.gradeLevel)!.id, r.classSeq))!

        // Students: matched by 学籍号 first (it follows the pupil for life, 学号 may be reissued),
        // then by (school, 学号). An empty optional cell keeps what is on file.
        const byNo = new Map((await readInSlices(rows.map((r) => r.studentNo), (nos) => repo.studentsByNo(tx, schoolId, nos))).map((s) => [s.studentNo, s]))
        const nids = rows.map((r) => r.nationalId).filter((n): n is string => n !== null)
        const byNid = new Map<string, Awaited<ReturnType<typeof repo.studentsByNationalId>>[number]>()
        for (const s of await readInSlices(nids, (ns) => repo.studentsByNationalId(tx, schoolId, ns))) {
          // A current pupil wins over a former one holding the same number.
          const held = byNid.get(s.nationalId!)
          if (!held || (held.status !== 'enrolled' && s.status === 'enrolled')) byNid.set(s.nationalId!, s)
        }
        const inserts: StudentRow[] = []
        const updates: StudentRow[] = []
        const studentIdOf = new Map<number, string>()
        const changedRows = new Set<number>()
        const clashRows = new Set<number>()
        const header = (key: string) => ROSTER_COLUMNS.find((c) => c.key === key)!.header
        const existing = new Map<string, { id: string }>()
        for (const r of rows) {
          const byNational = r.nationalId ? byNid.get(r.nationalId) : undefined
          const byNumber = byNo.get(r.studentNo)
          if (byNational && byNumber && byNational.id !== byNumber.id) {
            // The 学籍号 names one pupil and the 学号 another: never merge two records silently.
            clashRows.add(r.rowNo)
            errors.push(byNational.status === 'enrolled'
              ? { row: r.rowNo, field: header('nationalId'), reason: translate('import_national_id_taken', locale) }
              : { row: r.rowNo, field: header('studentNo'), reason: translate('import_student_no_taken', locale) })
            continue
          }
          const cur = byNational ?? byNumber
          const next: StudentRow = {
            id: cur?.id ?? randomUUID(),
            studentNo: r.studentNo,
            nationalId: r.nationalId ?? cur?.nationalId ?? null,
            name: r.name,
            gender: r.gender,
            birthDate: r.birthDate ?? cur?.birthDate ?? null,
            classId: classIdOf(r),
            status: r.status ?? cur?.status ?? 'enrolled',
          }
          studentIdOf.set(r.rowNo, next.id)
          if (cur) existing.set(r.studentNo, cur)
          if (!cur) inserts.push(next)
          else if (cur.studentNo !== next.studentNo || cur.nationalId !== next.nationalId || cur.name !== next.name || cur.gender !== next.gender
            || cur.birthDate !== next.birthDate || cur.classId !== next.classId || cur.status !== next.status) {
            updates.push(next)
            changedRows.add(r.rowNo)
          }
        }
        if (clashRows.size > 0 && !dryRun) {
          const all = badRows + clashRows.size
          throw new AppError(422, 'import_rejected', { count: all }, { errors: errors.slice(0, 500), truncated: errors.length > 500 ? true : undefined })
        }
        const goodRows = rows.filter((r) => !clashRows.has(r.rowNo))

        // Guardians: upsert by (student, name); the first one a student gets is the primary contact.
        const known = await readInSlices([...existing.values()].map((s) => s.id), (ids) => repo.guardiansOfStudents(tx, schoolId, ids))
        const guardianKey = (studentId: string, name: string) => `${studentId}\u0000${name}`
        const guardianByKey = new Map(known.map((g) => [guardianKey(g.studentId, g.name), g]))
        const hasGuardian = new Set(known.map((g) => g.studentId))
        const gInserts: GuardianRow[] = []
        const gUpdates: GuardianRow[] = []
        for (const r of goodRows) {
          if (!r.guardianName) continue
          const studentId = studentIdOf.get(r.rowNo)!
          const cur = guardianByKey.get(guardianKey(studentId, r.guardianName))
          if (!cur) {
            gInserts.push({
              id: randomUUID(), studentId, name: r.guardianName, relation: r.relation ?? '监护人', phone: r.phone,
              isPrimary: !hasGuardian.has(studentId),
            })
            hasGuardian.add(studentId)
            if (existing.has(r.studentNo)) changedRows.add(r.rowNo)
          } else {
            const relation = r.relation ?? cur.relation
            const phone = r.phone ?? cur.phone
            if (relation !== cur.relation || phone !== cur.phone) {
              gUpdates.push({ id: cur.id, studentId, name: cur.name, relation, phone, isPrimary: cur.isPrimary })
              changedRows.add(r.rowNo)
            }
          }
        }

        const outcome = { created: inserts.length, updated: changedRows.size, unchanged: goodRows.length - inserts.length - changedRows.size, rows: goodRows.length }
        if (dryRun) return { ...outcome, badRows: badRows + clashRows.size, errors: errors.sort((a, b) => a.row - b.row) }

        // Each slice is one statement through the gateway (scope in the statement); the import
        // as a whole is one audit row, written below.
        const d = ctx.decision
        await inSlices(inserts, (slice) => gw.createMany(tx, ctx, d, slice.map((s) => ({
          input: { studentNo: s.studentNo, nationalId: s.nationalId, name: s.name, gender: s.gender, birthDate: s.birthDate, classId: s.classId, status: s.status },
          values: { id: s.id, schoolId },
        })), false))
        await inSlices(updates, (slice) => gw.updateWhere(tx, ctx, d, inArray(students.id, slice.map((s) => s.id)), {
          values: {
            studentNo: perRow(students.id, slice, (s) => s.studentNo, 'text'),
            nationalId: perRow(students.id, slice, (s) => s.nationalId, 'text'),
            name: perRow(students.id, slice, (s) => s.name, 'text'),
            gender: perRow(students.id, slice, (s) => s.gender, 'text'),
            birthDate: perRow(students.id, slice, (s) => s.birthDate, 'date'),
            classId: perRow(students.id, slice, (s) => s.classId, 'uuid'),
            status: perRow(students.id, slice, (s) => s.status, 'text'),
            updatedAt: sql`now()`,
          },
          audit: false,
        }))
        if (guardianWrite) {
          await inSlices(gInserts, (slice) => gw.createMany(tx, ctx, guardianWrite, slice.map((g) => ({
            input: { name: g.name, relation: g.relation, phone: g.phone, isPrimary: g.isPrimary },
            values: { id: g.id, schoolId, studentId: g.studentId },
          })), false))
        }
        if (guardianUpdate) {
          await inSlices(gUpdates, (slice) => gw.updateWhere(tx, ctx, guardianUpdate, inArray(guardians.id, slice.map((g) => g.id)), {
            values: { relation: perRow(guardians.id, slice, (g) => g.relation, 'text'), phone: perRow(guardians.id, slice, (g) => g.phone, 'text') },
            audit: false,
          }))
        }

        const affected = [...inserts.map((s) => s.id), ...goodRows.filter((r) => changedRows.has(r.rowNo)).map((r) => studentIdOf.get(r.rowNo)!)]
        await gw.audit(tx, ctx, {
          action: 'C',
          recordIds: affected,
          studentIds: affected,
          fieldGroups: gw.groupsOf(ctx.decision, STUDENT_FIELDS),
        })
        return outcome
      })
  }
}

/** Creating grades or classes on the way needs the caller's right to create them. */
function mayCreate(gw: Gateway, ctx: RequestContext, resource: string, fields: string[]): Decision {
  const d = gw.policies.decide(ctx.actor, resource, 'create')
  if (!d) throw new Forbidden()
  d.assertWritable(fields)
  return d
}

export type ImportService = ReturnType<typeof createImportService>
