import { and, eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { pairings, students } from '../../db/schema/index.js'
import { Validation } from '../lib/errors.js'
import { schoolDaySql } from '../lib/school-day.js'
import type { Action, ResourcePolicy, RolePolicy, Scope } from './define.js'
import type { Actor, Role, RoleGrant } from './roles.js'

/** One role's share of a decision: which rows it reaches and which fields it reads there. */
export interface Grant {
  role: Role
  scope: Scope
  condition: SQL
  readable: ReadonlySet<string>
  readGroups: readonly string[]
  writable: ReadonlySet<string>
}

/** School-bound roles that make a teacher; any of them can be a mentor through a pairing. */
const TEACHER_ROLES: readonly Role[] = ['psych_teacher', 'homeroom_teacher', 'school_admin', 'mentor']

/**
 * The effective policy of one actor for one (resource, action): the merge of every role the
 * actor holds that allows the action. The only code that turns policies into SQL row filters,
 * field projections and write allow-lists.
 */
export class Decision {
  constructor(
    readonly policy: ResourcePolicy,
    readonly action: Action,
    readonly actor: Actor,
    readonly grants: readonly Grant[],
  ) {}

  /**
   * A decision is kept and reused for the same actor (PolicyRegistry.decide), so what it
   * builds from its grants is built once: the row filter, the selection, the roles.
   */
  private memo: { where?: SQL; selection?: Record<string, PgColumn | SQL.Aliased>; roles?: string; readGroups?: string[] } = {}

  get resource(): string { return this.policy.resource }
  get roles(): string { return (this.memo.roles ??= [...new Set(this.grants.map((g) => g.role))].join(',')) }
  get schoolId(): string | null { return this.actor.schoolId }

  column(key: string): PgColumn {
    const col = (getTableColumns(this.policy.table) as Record<string, PgColumn>)[key]
    if (!col) throw new Error(`${this.policy.resource}: no column ${key}`)
    return col
  }

  /**
   * Rows any granted role reaches; always inside the actor's school, except for a
   * district-scoped grant, whose condition is bound to the districts of its grants instead.
   */
  where(): SQL {
    return (this.memo.where ??= this.buildWhere())
  }

  private buildWhere(): SQL {
    const conds = this.grants.filter((g) => g.scope !== 'district').map((g) => g.condition)
    const districtConds = this.grants.filter((g) => g.scope === 'district').map((g) => g.condition)
    const parts: SQL[] = []
    if (conds.length) {
      const school = this.actor.schoolId
        ? eq(this.column(this.policy.relations.school), this.actor.schoolId)
        : sql`false`
      parts.push(and(school, conds.length === 1 ? conds[0]! : or(...conds)!)!)
    }
    parts.push(...districtConds)
    if (parts.length === 0) return sql`false`
    return parts.length === 1 ? parts[0]! : or(...parts)!
  }

  /** Per-grant flags selected beside the row so each row is projected by the roles that reach it. */
  selection(): Record<string, PgColumn | SQL.Aliased> {
    // A copy: callers add their own fields to it.
    return { ...(this.memo.selection ??= this.buildSelection()) }
  }

  private buildSelection(): Record<string, PgColumn | SQL.Aliased> {
    const cols: Record<string, PgColumn | SQL.Aliased> = { ...(getTableColumns(this.policy.table) as Record<string, PgColumn>) }
    this.grants.forEach((g, i) => {
      cols[`__g${i}`] = sql<boolean>`(${g.condition})`.as(`__g${i}`)
    })
    return cols
  }

  /** Keeps only fields readable by a role whose scope reaches this row. */
  project(row: Record<string, unknown>): Record<string, unknown> {
    const allowed = new Set<string>()
    this.grants.forEach((g, i) => {
      const flag = row[`__g${i}`]
      if (flag === true || flag === 't' || flag === 1) for (const f of g.readable) allowed.add(f)
    })
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(row)) if (allowed.has(k)) out[k] = v
    return out
  }

  /** Field groups any role reads here, for the audit row. */
  readGroups(): string[] {
    return [...(this.memo.readGroups ??= [...new Set(this.grants.flatMap((g) => g.readGroups))].sort())]
  }

  /** Fields every granted role may read: the only ones a filter or a sort may use. */
  readableEverywhere(): Set<string> {
    const [first, ...rest] = this.grants
    if (!first) return new Set()
    return new Set([...first.readable].filter((f) => rest.every((g) => g.readable.has(f))))
  }

  /** Filtering or sorting on a field the caller cannot read would leak it by bisection. */
  assertQueryable(fields: Iterable<string>): void {
    const ok = this.readableEverywhere()
    const bad = [...new Set(fields)].filter((f) => !ok.has(f))
    if (bad.length) throw new Validation('field_not_readable', { fields: bad.join(', ') }, { fields: bad })
  }

  /** Write allow-list: naming any field outside it is a 400 and nothing changes. */
  assertWritable(keys: Iterable<string>): void {
    const allowed = new Set<string>()
    for (const g of this.grants) for (const f of g.writable) allowed.add(f)
    const bad = [...new Set(keys)].filter((k) => !allowed.has(k))
    if (bad.length) throw new Validation('field_not_writable', { fields: bad.join(', ') }, { fields: bad })
  }

  writableFields(): Set<string> {
    const allowed = new Set<string>()
    for (const g of this.grants) for (const f of g.writable) allowed.add(f)
    return allowed
  }
}

export class PolicyRegistry {
  private readonly byName = new Map<string, ResourcePolicy>()
  /** The schools' time zone: a pairing grants access from its start day to its planned end, by their calendar. */
  private readonly today: SQL

  constructor(policies: readonly ResourcePolicy[], opts: { timeZone?: string } = {}) {
    this.today = schoolDaySql(opts.timeZone ?? 'Asia/Shanghai')
    for (const p of policies) {
      if (this.byName.has(p.resource)) throw new Error(`policy ${p.resource} defined twice`)
      validatePolicy(p)
      this.byName.set(p.resource, p)
    }
  }

  get(resource: string): ResourcePolicy | undefined { return this.byName.get(resource) }
  all(): ResourcePolicy[] { return [...this.byName.values()] }

  /**
   * Decisions already made, by everything a decision depends on: the actor's id, school and
   * role grants, the resource and the action. A request decides a few times (the route's
   * decision, the actor check, a service's other resources), and every request of a login
   * the same way; an actor whose roles changed has another key.
   */
  private readonly decided = new Map<string, Decision | null>()

  /** null: no role of the actor allows this action on this resource (default deny). */
  decide(actor: Actor, resource: string, action: Action): Decision | null {
    let key = `${resource}\u0000${action}\u0000${actor.userId}\u0000${actor.schoolId ?? ''}`
    for (const r of actor.roles) key += `\u0000${r.role}|${r.schoolId ?? ''}|${r.classId ?? ''}|${r.districtId ?? ''}`
    const kept = this.decided.get(key)
    if (kept !== undefined) return kept
    const d = this.decideAfresh(actor, resource, action)
    if (this.decided.size >= DECISIONS_KEPT) this.decided.delete(this.decided.keys().next().value!)
    this.decided.set(key, d)
    return d
  }

  private decideAfresh(actor: Actor, resource: string, action: Action): Decision | null {
    const policy = this.byName.get(resource)
    if (!policy) return null
    const grants: Grant[] = []
    for (const [role, rp] of Object.entries(policy.roles) as Array<[Role, RolePolicy<string>]>) {
      if (!rp.actions.includes(action)) continue
      const held = grantsFor(actor, role)
      if (held.length === 0) continue
      grants.push({
        role,
        scope: rp.scope,
        condition: scopeCondition(policy, rp.scope, actor, held, this.today),
        readable: fieldsOf(policy, rp.read),
        readGroups: rp.read,
        writable: fieldsOf(policy, rp.write ?? []),
      })
    }
    return grants.length ? new Decision(policy, action, actor, grants) : null
  }
}

/** Decisions kept at once (oldest dropped first): a few per login and resource in use. */
const DECISIONS_KEPT = 20_000

/** The actor's grants of a role inside their own school; mentor is implied for teachers. */
function grantsFor(actor: Actor, role: Role): RoleGrant[] {
  if (role === 'district_staff') return actor.roles.filter((r) => r.role === role && r.districtId !== null)
  const own = actor.roles.filter((r) => r.role === role && r.schoolId !== null && r.schoolId === actor.schoolId)
  if (role === 'mentor' && own.length === 0 && actor.roles.some((r) => TEACHER_ROLES.includes(r.role) && r.schoolId === actor.schoolId)) {
    return [{ role: 'mentor', schoolId: actor.schoolId, classId: null, districtId: null }]
  }
  return own
}

function fieldsOf(policy: ResourcePolicy, groups: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const g of groups) for (const f of (policy.fields)[g] ?? []) out.add(f)
  return out
}

function col(policy: ResourcePolicy, key: string | undefined): PgColumn {
  const c = key ? (getTableColumns(policy.table) as Record<string, PgColumn>)[key] : undefined
  if (!c) throw new Error(`${policy.resource}: relation column ${String(key)} missing`)
  return c
}

function scopeCondition(policy: ResourcePolicy, scope: Scope, actor: Actor, held: RoleGrant[], today: SQL): SQL {
  const schoolId = actor.schoolId
  switch (scope) {
    case 'school':
      return schoolId ? eq(col(policy, policy.relations.school), schoolId) : sql`false`
    case 'class': {
      const classIds = held.map((g) => g.classId).filter((c): c is string => !!c)
      if (!schoolId || classIds.length === 0) return sql`false`
      if (policy.relations.class) return inArray(col(policy, policy.relations.class), classIds)
      const studentCol = col(policy, policy.relations.student)
      return sql`${studentCol} in (select ${students.id} from ${students} where ${students.schoolId} = ${schoolId} and ${inArray(students.classId, classIds)})`
    }
    case 'paired': {
      if (!schoolId || !policy.relations.student) return sql`false`
      const paired = pairedCondition(col(policy, policy.relations.student), schoolId, actor.userId, today)
      return policy.relations.mentor ? and(paired, eq(col(policy, policy.relations.mentor), actor.userId))! : paired
    }
    case 'own':
      return eq(col(policy, policy.relations.owner), actor.userId)
    case 'none':
      return sql`false`
    case 'district': {
      // Never the actor's school: only the districts named by the role's own grants.
      const districtIds = held.map((g) => g.districtId).filter((d): d is string => !!d)
      if (districtIds.length === 0 || !policy.relations.district) return sql`false`
      return inArray(col(policy, policy.relations.district), districtIds)
    }
  }
}

/**
 * Students with an active pairing to the actor (师生结对): started, not ended, not past its
 * planned end, by the school's calendar day. Evaluated per request, so an ended pairing
 * stops granting access on the very next request.
 */
function pairedCondition(studentCol: PgColumn, schoolId: string, userId: string, today: SQL): SQL {
  return sql`${studentCol} in (select ${pairings.studentId} from ${pairings}
    where ${pairings.schoolId} = ${schoolId} and ${pairings.mentorId} = ${userId} and ${pairings.endedAt} is null
      and ${pairings.startDate} <= ${today}
      and (${pairings.plannedEndDate} is null or ${pairings.plannedEndDate} >= ${today}))`
}

/** Start-up check: groups cover columns exactly once, roles name real groups and relations. */
export function validatePolicy(p: ResourcePolicy): void {
  const columns = Object.keys(getTableColumns(p.table))
  const seen = new Map<string, string>()
  for (const [group, fields] of Object.entries(p.fields)) {
    for (const f of fields) {
      if (!columns.includes(f)) throw new Error(`policy ${p.resource}: group ${group} names unknown field ${f}`)
      if (seen.has(f)) throw new Error(`policy ${p.resource}: field ${f} is in groups ${seen.get(f)} and ${group}`)
      seen.set(f, group)
    }
  }
  const missing = columns.filter((c) => !seen.has(c))
  if (missing.length) throw new Error(`policy ${p.resource}: fields in no group: ${missing.join(', ')}`)
  if (!columns.includes(p.idColumn)) throw new Error(`policy ${p.resource}: idColumn ${p.idColumn} unknown`)
  for (const [role, rp] of Object.entries<RolePolicy<string>>(p.roles)) {
    for (const g of [...rp.read, ...(rp.write ?? [])]) {
      if (!(g in p.fields)) throw new Error(`policy ${p.resource}: role ${role} names unknown group ${g}`)
    }
    if (rp.scope === 'class' && !p.relations.class && !p.relations.student) throw new Error(`policy ${p.resource}: role ${role} has class scope but the table has no class or student relation`)
    if (rp.scope === 'paired' && !p.relations.student) throw new Error(`policy ${p.resource}: role ${role} has paired scope but no student relation`)
    if (rp.scope === 'own' && !p.relations.owner) throw new Error(`policy ${p.resource}: role ${role} has own scope but no owner relation`)
    if (rp.scope === 'district' && !p.relations.district) throw new Error(`policy ${p.resource}: role ${role} has district scope but no district relation`)
    if (rp.scope === 'district' && role !== 'district_staff') throw new Error(`policy ${p.resource}: district scope is for district_staff only, not ${role}`)
  }
}
