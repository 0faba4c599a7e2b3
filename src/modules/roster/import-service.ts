import { randomUUID } from 'node:crypto'
import { audit } from '../../access/query.js'
import { AppError, Forbidden } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { groupsOf, inActorTx, type RosterDeps } from './record-access.js'
import { gradeName } from './grade-names.js'
import { checkRosterFile, type FileKind, type RosterRow, type RowError } from './import.js'
import { sheetLimitsOf } from '../../lib/spreadsheet/reader.js'
import { columnLabel } from './roster-template.js'

/** Student fields an import writes; the caller's policy must allow every one of them. */
const STUDENT_FIELDS = ['studentNo', 'name', 'gender', 'birthDate', 'classId', 'status']
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

export interface ImportOutcome { created: number; updated: number; unchanged: number; rows: number }
/** A dry run's answer: what the import would do with the good rows, and every bad row (up to the listed cap). */
export interface ImportPlan extends ImportOutcome { badRows: number; errors: Array<RowError & { label?: string }> }

export function createImportService(deps: RosterDeps) {
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
      const { rows, errors, badRows } = await checkRosterFile(file, kind, sheetLimitsOf(deps.config), locale)
      if (dryRun && rows.length === 0 && badRows > 0) return { created: 0, updated: 0, unchanged: 0, rows: 0, badRows, errors }
      if (badRows > 0 && !dryRun) throw new AppError(422, 'import_rejected', { count: badRows }, { errors, truncated: errors.length < badRows ? true : undefined })
      if (rows.length === 0) throw new AppError(422, 'import_empty')

      const withGuardian = rows.some((r) => r.guardianName)
      const guardianWrite = withGuardian ? deps.policies.decide(ctx.actor, 'guardians', 'create') : null
      if (withGuardian) {
        if (!guardianWrite || !deps.policies.decide(ctx.actor, 'guardians', 'update')) throw new Forbidden()
        guardianWrite.assertWritable(GUARDIAN_FIELDS)
      }
      const schoolId = ctx.actor.schoolId!

      return inActorTx(deps, ctx, async (tx) => {
        // Grades and classes the file names but the school lacks are created on the way.
        const gradeByLevel = new Map((await repo.gradesOfSchool(tx, schoolId)).map((g) => [g.level, g]))
        const newLevels = [...new Set(rows.map((r) => r.gradeLevel))].filter((l) => !gradeByLevel.has(l))
        if (newLevels.length) {
          mayCreate(deps, ctx, 'grades', ['level', 'name'])
          const fresh = newLevels.map((level) => ({ schoolId, level, name: gradeName(level) }))
          for (const g of dryRun ? fresh.map((g) => ({ ...g, id: randomUUID() })) : await repo.insertGrades(tx, fresh)) gradeByLevel.set(g.level, g)
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
          mayCreate(deps, ctx, 'classes', ['gradeId', 'seq', 'name'])
          const fresh = [...missing.values()].map((c) => ({ ...c, schoolId }))
          for (const c of dryRun ? fresh.map((c) => ({ ...c, id: randomUUID() })) : await repo.insertClasses(tx, fresh)) classByKey.set(classKey(c.gradeId, c.seq), c.id)
        }
        const classIdOf = (r: RosterRow) => classByKey.get(classKey(gradeByLevel.get(r.gradeLevel)!.id, r.classSeq))!

        // Students: upsert by (school, 学号). An empty optional cell keeps what is on file.
        const existing = new Map((await readInSlices(rows.map((r) => r.studentNo), (nos) => repo.studentsByNo(tx, schoolId, nos))).map((s) => [s.studentNo, s]))
        const inserts: repo.BulkStudent[] = []
        const updates: repo.BulkStudent[] = []
        const studentIdOf = new Map<number, string>()
        const changedRows = new Set<number>()
        for (const r of rows) {
          const cur = existing.get(r.studentNo)
          const next: repo.BulkStudent = {
            id: cur?.id ?? randomUUID(),
            student_no: r.studentNo,
            name: r.name,
            gender: r.gender,
            birth_date: r.birthDate ?? cur?.birthDate ?? null,
            class_id: classIdOf(r),
            status: r.status ?? cur?.status ?? 'enrolled',
          }
          studentIdOf.set(r.rowNo, next.id)
          if (!cur) inserts.push(next)
          else if (cur.name !== next.name || cur.gender !== next.gender || cur.birthDate !== next.birth_date
            || cur.classId !== next.class_id || cur.status !== next.status) {
            updates.push(next)
            changedRows.add(r.rowNo)
          }
        }

        // Guardians: upsert by (student, name); the first one a student gets is the primary contact.
        const known = await readInSlices([...existing.values()].map((s) => s.id), (ids) => repo.guardiansOfStudents(tx, schoolId, ids))
        const guardianKey = (studentId: string, name: string) => `${studentId}\u0000${name}`
        const guardianByKey = new Map(known.map((g) => [guardianKey(g.studentId, g.name), g]))
        const hasGuardian = new Set(known.map((g) => g.studentId))
        const gInserts: repo.BulkGuardian[] = []
        const gUpdates: repo.BulkGuardian[] = []
        for (const r of rows) {
          if (!r.guardianName) continue
          const studentId = studentIdOf.get(r.rowNo)!
          const cur = guardianByKey.get(guardianKey(studentId, r.guardianName))
          if (!cur) {
            gInserts.push({
              id: randomUUID(), student_id: studentId, name: r.guardianName, relation: r.relation ?? '监护人', phone: r.phone,
              is_primary: !hasGuardian.has(studentId),
            })
            hasGuardian.add(studentId)
            if (existing.has(r.studentNo)) changedRows.add(r.rowNo)
          } else {
            const relation = r.relation ?? cur.relation
            const phone = r.phone ?? cur.phone
            if (relation !== cur.relation || phone !== cur.phone) {
              gUpdates.push({ id: cur.id, student_id: studentId, name: cur.name, relation, phone, is_primary: cur.isPrimary })
              changedRows.add(r.rowNo)
            }
          }
        }

        const outcome = { created: inserts.length, updated: changedRows.size, unchanged: rows.length - inserts.length - changedRows.size, rows: rows.length }
        if (dryRun) return { ...outcome, badRows, errors }

        await inSlices(inserts, (slice) => repo.insertStudentsBulk(tx, schoolId, slice))
        await inSlices(updates, (slice) => repo.updateStudentsBulk(tx, schoolId, slice))
        await inSlices(gInserts, (slice) => repo.insertGuardiansBulk(tx, schoolId, slice))
        await inSlices(gUpdates, (slice) => repo.updateGuardiansBulk(tx, schoolId, slice))

        const affected = [...inserts.map((s) => s.id), ...rows.filter((r) => changedRows.has(r.rowNo)).map((r) => studentIdOf.get(r.rowNo)!)]
        await audit(tx, ctx, {
          action: 'C',
          recordIds: affected,
          studentIds: affected,
          fieldGroups: groupsOf(ctx.decision, STUDENT_FIELDS),
        })
        return outcome
      })
  }
}

/** Creating grades or classes on the way needs the caller's right to create them. */
function mayCreate(deps: RosterDeps, ctx: RequestContext, resource: string, fields: string[]): void {
  const d = deps.policies.decide(ctx.actor, resource, 'create')
  if (!d) throw new Forbidden()
  d.assertWritable(fields)
}

export type ImportService = ReturnType<typeof createImportService>
