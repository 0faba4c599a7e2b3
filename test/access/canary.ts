import { getTableColumns, sql } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig } from 'drizzle-orm/pg-core'
import type { ResourcePolicy } from '../../src/access/define.js'
import { queryRows } from '../../src/db/database.js'
import type { World } from './world.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'
import { sealedColumnOf } from '../../src/crypto/sealed.js'

/** Where a canary's row sits; 'school' is a school-wide row of school A. */
export type CanaryPlace = 'ownClass' | 'otherClass' | 'otherSchool' | 'school'

export interface CanaryInfo {
  resource: string; field: string; place: CanaryPlace
  /** A school-wide row that belongs to one user (a teacher's own settings): its owner reads it under an `own` grant. */
  owner?: string
  /**
   * The same row as the table's other policies reach it (one table, two resources: a transfer
   * package as its sending and as its receiving school see it): a reader of any one may read it.
   */
  also?: Array<{ resource: string; place: CanaryPlace; owner?: string }>
}

/** Columns the application branches on: a canary there would break the world, not test it. */
const LOGIC_COLUMNS = new Set(['role', 'status', 'gender', 'kind', 'stage', 'locale', 'action', 'actorRoles', 'resource', 'semester', 'schoolYear',
  // Pairing dates decide the paired scope: a canary date would end every pairing and hide mentor leaks.
  'startDate', 'plannedEndDate', 'endDate',
  // A safety assessment's disposition decides what its row must hold (a CHECK in the database).
  'disposition',
  // Checked against fixed lists in the database (督导资料: a leadership member's role, a drill's reach).
  'groupRole', 'reach'])

/** jsonb columns that hold free text (a form's answers): planted as a one-key object whose value is the canary. */
const JSON_TEXT_COLUMNS = new Set(['safety_assessments.answers'])

/** jsonb columns holding lists of free text (a safety plan's steps): planted in the shape the column holds. */
const JSON_TEXT_SHAPES: Record<string, (value: string) => unknown> = {
  'safety_plan_versions.warning_signs': (v) => [v],
  'safety_plan_versions.coping_strategies': (v) => [v],
  'safety_plan_versions.social_distractions': (v) => [v],
  'safety_plan_versions.help_contacts': (v) => [{ name: v, phone: v }],
  'safety_plan_versions.professionals': (v) => [{ name: v, phone: v }],
  'safety_plan_versions.environment_safety': (v) => [v],
  'safety_plan_versions.reasons_for_living': (v) => [v],
}

/**
 * Overwrites every free-text and date column of every policy table with a value that names
 * its resource, field and place, so a scan of any response can tell exactly what leaked.
 */
export async function plantCanaries(world: World, policies: ResourcePolicy[]): Promise<Map<string, CanaryInfo>> {
  const { db } = world.database
  const found = new Map<string, CanaryInfo>()
  let n = 0
  const classPlace = (classId: unknown): CanaryPlace =>
    classId === world.ownClassId ? 'ownClass' : classId === world.otherClassId ? 'otherClass' : 'otherSchool'
  const studentRows = await queryRows<{ id: string; class_id: string }>(db, sql`select id, class_id from students`)
  const studentPlace = new Map(studentRows.map((s) => [s.id, classPlace(s.class_id)]))

  // Policies over one table plant one set of values, named by the last of them (as before);
  // the others' view of each row travels along in `also`.
  const byTable = new Map<string, ResourcePolicy[]>()
  for (const policy of policies) {
    const { name } = getTableConfig(policy.table as PgTable)
    byTable.set(name, [...(byTable.get(name) ?? []), policy])
  }

  for (const [name, group] of byTable) {
    const policy = group[group.length - 1]!
    const table = policy.table as PgTable
    if (name === 'audit_log') continue // append-only by design; holds ids only
    const columns = getTableColumns(table) as Record<string, PgColumn>
    const textCols = Object.entries(columns).filter(([k, c]) =>
      !LOGIC_COLUMNS.has(k) && (JSON_TEXT_COLUMNS.has(`${name}.${c.name}`) || `${name}.${c.name}` in JSON_TEXT_SHAPES || c.columnType === 'PgText' || c.columnType === 'PgVarchar' || c.columnType === 'PgDateString' || c.columnType === 'PgDate'
        || sealedColumnOf(name, c.name) !== undefined))
    if (textCols.length === 0) continue
    const idCol = columns[policy.idColumn]!
    const rows = await queryRows<Record<string, unknown>>(db, sql`select * from ${table}`)
    for (const row of rows) {
      const get = (key: string | undefined) => (key ? row[columns[key]!.name] : undefined)
      const placeOf = (p: ResourcePolicy): { place: CanaryPlace; owner?: string } => {
        const schoolId = get(p.relations.school)
        let place: CanaryPlace
        // Reference rows shared by every school (built-in instruments) sit with school A's own.
        if (schoolId === null || schoolId === undefined) place = 'school'
        else if (schoolId !== world.schoolA.schoolId) place = 'otherSchool'
        else if (p.relations.student && typeof get(p.relations.student) === 'string') place = studentPlace.get(get(p.relations.student) as string) ?? 'otherSchool'
        else if (p.relations.class && typeof get(p.relations.class) === 'string') place = classPlace(get(p.relations.class))
        else place = 'school'
        const owner = place === 'school' && p.relations.owner && typeof get(p.relations.owner) === 'string' ? get(p.relations.owner) as string : undefined
        return owner ? { place, owner } : { place }
      }
      const { place, owner } = placeOf(policy)
      const also = group.slice(0, -1).map((p) => ({ resource: p.resource, ...placeOf(p) }))
      const sets: ReturnType<typeof sql>[] = []
      for (const [field, col] of textCols) {
        n++
        let value: string
        if (col.columnType === 'PgDateString' || col.columnType === 'PgDate') {
          const d = new Date(Date.UTC(1900, 0, 1) + n * 86_400_000)
          value = d.toISOString().slice(0, 10)
        } else {
          value = `CANARY~${policy.resource}~${field}~${place}~${n}`
        }
        found.set(value, { resource: policy.resource, field, place, ...(owner ? { owner } : {}), ...(also.length ? { also } : {}) })
        const sealed = sealedColumnOf(name, col.name)
        const json = col.columnType === 'PgJsonb' || sealed?.kind === 'json'
        const planted: unknown = json ? JSON_TEXT_SHAPES[`${name}.${col.name}`]?.(value) ?? { note: value } : value
        // A sealed column gets its canary sealed with the row's school key, as the app writes it: the scan reads through the opening too.
        const stored = sealed
          ? await withNotesSchool(db, row.school_id as string, async () => col.mapToDriverValue(planted) as string)
          : json ? JSON.stringify(planted) : value
        sets.push(json ? sql`${sql.identifier(col.name)} = ${stored}::jsonb` : sql`${sql.identifier(col.name)} = ${stored}`)
      }
      await db.execute(sql`update ${table} set ${sql.join(sets, sql`, `)} where ${sql.identifier(idCol.name)} = ${row[idCol.name]}`)
    }
  }
  return found
}

/** Every planted value that occurs in a response body. */
export function canariesIn(body: string, planted: Map<string, CanaryInfo>): CanaryInfo[] {
  const out: CanaryInfo[] = []
  for (const m of body.matchAll(/CANARY~[a-z_]+~\w+~\w+~\d+/g)) {
    const info = planted.get(m[0])
    if (info) out.push(info)
  }
  for (const m of body.matchAll(/19\d\d-\d\d-\d\d/g)) {
    const info = planted.get(m[0])
    if (info) out.push(info)
  }
  return out
}
