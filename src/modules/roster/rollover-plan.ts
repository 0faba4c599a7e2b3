import { gradeName } from './grade-names.js'

/**
 * 升年级 as a pure function of the school's classes: what the rollover would do, computed the
 * same way for the preview and for the apply, so the preview is exactly what happens.
 *
 * Classes move, pupils stay: each class keeps its id and goes up one grade (八年级(1)班 becomes
 * 九年级(1)班), so every record already written keeps pointing at the class it was written in,
 * and each pupil stays with their classmates. A class at the top of its stage graduates: its
 * pupils become 已毕业 and the class is ended, not deleted, so it still names their records.
 */

export interface GradeRow { id: string; level: number; name: string }
export interface ClassRow { id: string; gradeId: string; seq: number; name: string }
export interface GrantRow { id: string; userId: string; role: string; classId: string; displayName: string }

export interface Snapshot {
  stage: string
  grades: GradeRow[]
  /** Current classes only (not ended). */
  classes: ClassRow[]
  /** Enrolled pupils per class id. */
  enrolled: Map<string, number>
  /** homeroom_teacher and peer_monitor grants on the current classes. */
  grants: GrantRow[]
}

export interface ClassMove {
  classId: string; fromLevel: number; toLevel: number; fromName: string; toName: string; students: number
}
export interface Graduation { classId: string; level: number; gradeName: string; name: string; students: number }
export interface EntryClass { level: number; seq: number; name: string }
export interface EndingGrant { id: string; userId: string; displayName: string; role: string; classId: string; className: string }

export interface Plan {
  /** Stages of the school as [entry level, top level]. */
  stages: Array<{ entry: number; top: number }>
  moves: ClassMove[]
  graduations: Graduation[]
  entryClasses: EntryClass[]
  /** Grades the moves or the new classes need that the school does not have yet. */
  newGrades: Array<{ level: number; name: string }>
  grantsEnding: EndingGrant[]
  /** How many classes each entry grade had, the default for its new classes. */
  entryDefaults: Array<{ level: number; name: string; count: number }>
}

/**
 * The 6-3-3 system's stages (小学 1–6, 初中 7–9, 高中 10–12); a 九年一贯制 school is one stage
 * 1–9. A 完全中学 is 初中 and 高中 side by side: 九年级 graduates and 高一 takes a new intake
 * (中考), it does not continue from 九年级.
 */
function stagesOf(stage: string): Array<[number, number]> {
  return stage === 'nine_year' ? [[1, 9], [10, 12]] : [[1, 6], [7, 9], [10, 12]]
}

export const MAX_ENTRY_CLASSES = 30

/** The new name of a class that moves up: a name made from the grade follows it, a class's own name (实验班) stays. */
export function movedName(name: string, from: GradeRow | undefined, fromLevel: number, toGradeName: string): string {
  for (const prefix of [from?.name, gradeName(fromLevel)]) {
    if (prefix && name.startsWith(prefix)) return toGradeName + name.slice(prefix.length)
  }
  return name
}

export function planRollover(s: Snapshot, entryCounts: ReadonlyMap<number, number> = new Map()): Plan {
  const gradeById = new Map(s.grades.map((g) => [g.id, g]))
  const gradeByLevel = new Map(s.grades.map((g) => [g.level, g]))
  const nameOfLevel = (level: number) => gradeByLevel.get(level)?.name ?? gradeName(level)
  const newGrades = new Map<number, string>()
  const need = (level: number) => { if (!gradeByLevel.has(level)) newGrades.set(level, gradeName(level)) }

  const plan: Plan = { stages: [], moves: [], graduations: [], entryClasses: [], newGrades: [], grantsEnding: [], entryDefaults: [] }
  const bySeq = (a: ClassRow, b: ClassRow) => a.seq - b.seq
  for (const [lo, hi] of stagesOf(s.stage)) {
    const levels = s.grades.map((g) => g.level).filter((l) => l >= lo && l <= hi)
    if (levels.length === 0) continue
    // A school that has not opened its lower grades yet (a demo school from 四年级) takes its
    // new pupils into the lowest grade it has.
    const entry = Math.min(...levels)
    plan.stages.push({ entry, top: hi })
    const inLevel = (level: number) => s.classes.filter((c) => gradeById.get(c.gradeId)?.level === level).sort(bySeq)
    for (const c of inLevel(hi)) {
      plan.graduations.push({ classId: c.id, level: hi, gradeName: nameOfLevel(hi), name: c.name, students: s.enrolled.get(c.id) ?? 0 })
    }
    for (let level = hi - 1; level >= entry; level--) {
      const to = level + 1
      for (const c of inLevel(level)) {
        need(to)
        plan.moves.push({
          classId: c.id, fromLevel: level, toLevel: to, fromName: c.name,
          toName: movedName(c.name, gradeById.get(c.gradeId), level, nameOfLevel(to)), students: s.enrolled.get(c.id) ?? 0,
        })
      }
    }
    const current = inLevel(entry).length
    plan.entryDefaults.push({ level: entry, name: nameOfLevel(entry), count: current })
    const count = Math.min(entryCounts.get(entry) ?? current, MAX_ENTRY_CLASSES)
    for (let seq = 1; seq <= count; seq++) plan.entryClasses.push({ level: entry, seq, name: `${nameOfLevel(entry)}(${seq})班` })
  }
  plan.newGrades = [...newGrades].sort((a, b) => a[0] - b[0]).map(([level, name]) => ({ level, name }))
  const affected = new Map([...plan.moves.map((m) => [m.classId, m.fromName] as const), ...plan.graduations.map((g) => [g.classId, g.name] as const)])
  plan.grantsEnding = s.grants
    .filter((g) => affected.has(g.classId))
    .map((g) => ({ id: g.id, userId: g.userId, displayName: g.displayName, role: g.role, classId: g.classId, className: affected.get(g.classId)! }))
    .sort((a, b) => a.className.localeCompare(b.className, 'zh-CN') || a.role.localeCompare(b.role))
  return plan
}

/** What a rollover changed, kept on its row so the undo restores exactly (ids and prior values). */
export interface RolloverChanges {
  moved: Array<{ id: string; fromGradeId: string; toGradeId: string; fromName: string; toName: string; fromLevel: number }>
  ended: Array<{ id: string; level: number }>
  graduated: Array<{ id: string; leftAt: string | null }>
  createdClasses: string[]
  createdGrades: string[]
  endedGrants: Array<{ id: string; userId: string; role: string; classId: string; createdAt: string }>
  /** Counts for the list, so it need not read the pupils again. */
  summary: { moved: number; graduatedClasses: number; graduatedStudents: number; entryClasses: number; grantsEnded: number }
}

/** The school year a rollover starts by default: from June on, the one beginning this September. */
export function defaultSchoolYear(today: string): string {
  const y = Number(today.slice(0, 4))
  const start = Number(today.slice(5, 7)) >= 6 ? y : y - 1
  return `${start}-${start + 1}`
}
