import { and, eq, getTableColumns, getTableName, is, sql, SQL } from 'drizzle-orm'
import type { PgColumn, PgInsertSelectQueryBuilder, PgTable, QueryBuilder } from 'drizzle-orm/pg-core'
import type { AuditAction, AuditEvent } from '../audit/audit.js'
import type { Config } from '../config.js'
import type { Database, Executor, Tx } from '../db/database.js'
import { fromDatabaseError } from '../db/errors.js'
import { NotFound } from '../lib/errors.js'
import { schoolDay, schoolDaySql } from '../lib/school-day.js'
import type { RequestContext } from '../plugins/access.js'
import type { Action } from './define.js'
import type { Decision, PolicyRegistry } from './engine.js'
import { audit as auditRead, idsOf, readMany, readManyPrepared, readOne, studentIdsOf, writePrepared, type ListOptions } from './query.js'
import { commitWithNext, queueAudit, withActorTx } from './transaction.js'
import { appendAudit } from '../audit/audit.js'
import { sealedColumnOf } from '../crypto/sealed.js'

export type Row = Record<string, unknown>

/** What every service is given by the composition root (src/services.ts). */
export interface AccessDeps {
  database: Database
  policies: PolicyRegistry
  config: Config
}

/** A write's fields: `input` is what the caller sent (checked against the writable groups), `values` what the service sets. */
export interface WriteFields {
  input?: object
  values?: Record<string, unknown>
}

export interface WriteOptions extends WriteFields {
  /** Narrows the rows the statement may touch beyond the policy's scope (a state the rule requires). */
  where?: SQL | undefined
  /** false: the caller audits this change itself (an anonymous letter's day-only row). */
  audit?: false | { action?: AuditAction; fieldGroups?: string[] }
}

/**
 * The access gateway: every read and write of a policy resource passes through it (src/access
 * is the only code that turns policies into SQL). A read filters rows and fields by the
 * caller's decision; a write
 *  1. refuses a field outside the caller's writable groups (400 naming the field),
 *  2. carries the policy's row filter in the statement itself — UPDATE … WHERE <scope>
 *     RETURNING …, INSERT … RETURNING <scope flags> — so a row out of scope changes nothing
 *     and answers 404, whether it is missing or someone else's,
 *  3. projects the returned row with the rules of a read, and
 *  4. queues the audit event, appended with the transaction's other events just before COMMIT.
 * Services keep their own rules (state machines, clinical rules) and call it for access and audit.
 */
export class Gateway implements AccessDeps {
  readonly database: Database
  readonly policies: PolicyRegistry
  readonly config: Config

  constructor(deps: AccessDeps) {
    this.database = deps.database
    this.policies = deps.policies
    this.config = deps.config
  }

  /** Today by the schools' calendar (TZ_SCHOOL), as 'YYYY-MM-DD'. */
  today(now: Date = new Date()): string {
    return schoolDay(now, this.config.TZ_SCHOOL)
  }

  /** The same day computed by the database at statement time. */
  todaySql(): SQL {
    return schoolDaySql(this.config.TZ_SCHOOL)
  }

  /**
   * One transaction as the actor (non-owner role, the actor's school for row-level security).
   * Database errors leave as typed errors that carry no statement parameter.
   */
  async tx<T>(ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await withActorTx(this.database.db, ctx.actor, fn)
    } catch (err) {
      throw fromDatabaseError(err)
    }
  }

  /** The caller's decision on a resource; none means its records do not exist for them (404). */
  decision(ctx: RequestContext, resource: string, action: Action = 'read'): Decision {
    const d = this.policies.decide(ctx.actor, resource, action)
    if (!d) throw new NotFound()
    return d
  }

  /** One record through the policy, or the same 404 whether it is missing or out of scope. */
  async read(ex: Executor, d: Decision, id: string, where?: SQL): Promise<Row> {
    const row = await readOne(ex, d, id, where)
    if (!row) throw new NotFound()
    return row
  }

  /**
   * One record through the policy, read and audited (R) as a transaction of one statement
   * (commitWithNext); the same 404 whether it is missing or out of scope. `check` runs on the
   * row before it is audited and returned (a rule that refuses it throws).
   */
  async readAudited(ctx: RequestContext, d: Decision, id: string, check?: (row: Row) => Promise<void>): Promise<Row> {
    const row = await this.tx(ctx, (tx) => {
      commitWithNext(tx)
      return this.read(tx, d, id)
    })
    if (check) await check(row)
    await this.audit(this.database.db, ctx, { action: 'R', rows: [row] })
    return row
  }

  /** One record or undefined (both when missing and when out of scope). */
  find(ex: Executor, d: Decision, id: string, where?: SQL): Promise<Row | undefined> {
    return readOne(ex, d, id, where)
  }

  list(ex: Executor, d: Decision, opts: ListOptions) {
    return readMany(ex, d, opts)
  }

  /** A list of fixed shape, built once per decision and key; `values` fill its placeholders (readManyPrepared). */
  listPrepared(ex: Executor, d: Decision, key: string, opts: ListOptions, values: Record<string, unknown>) {
    return readManyPrepared(ex, d, key, opts, values)
  }

  /** The audit row of a read (group commit) or of a change (appended before COMMIT). */
  audit(ex: Executor, ctx: RequestContext, e: Parameters<typeof auditRead>[2]): Promise<number> {
    return auditRead(ex, ctx, e)
  }

  /** Creates one record: checked, scoped, projected and audited (C). */
  async create(ex: Executor, ctx: RequestContext, d: Decision, w: WriteOptions): Promise<Row> {
    const [row] = await this.createMany(ex, ctx, d, [w], w.audit)
    return row!
  }

  /**
   * Creates several records of one resource in one statement (an import's rows), with one audit
   * event naming them all. Every row must fall inside the caller's scope, or nothing is written.
   */
  async createMany(ex: Executor, ctx: RequestContext, d: Decision, ws: WriteFields[], auditAs?: WriteOptions['audit']): Promise<Row[]> {
    if (ws.length === 0) return []
    const keys = new Set<string>()
    for (const w of ws) for (const k of sentKeys(w.input)) keys.add(k)
    d.assertWritable(keys)
    const values = ws.map((w) => ({ ...definedOf(w.input), ...w.values }))
    const raw = await (values.length >= JSON_BATCH_MIN ? insertFromJson(ex, d.policy.table, values, d.selection()) : undefined)
      ?? await ex.insert(d.policy.table).values(values).returning(d.selection())
    const rows = this.inScope(d, raw, values.length)
    await this.queue(ex, ctx, d, rows, 'C', auditAs, keys)
    return rows.map((r) => d.project(r))
  }

  /**
   * Creates one record from a SELECT the service builds (INSERT … SELECT: every column of the
   * table in its order), so a check on another record is the statement's own — no row selected,
   * nothing written, and undefined is returned for the service to say why. `input` names what
   * the caller sent (checked against the writable groups); the row comes back projected, and a
   * row none of the caller's grants reaches is a 404 with nothing kept.
   */
  async createFrom(ex: Executor, ctx: RequestContext, d: Decision, w: {
    input?: object
    /** The statement's shape: `select` is built once per decision and key (writePrepared). */
    key: string
    select: (qb: QueryBuilder) => PgInsertSelectQueryBuilder<PgTable>
    /** The placeholders' values of this call. */
    values: Record<string, unknown>
    audit?: WriteOptions['audit']
  }): Promise<Row | undefined> {
    const keys = sentKeys(w.input)
    d.assertWritable(keys)
    const raw = await writePrepared(ex, d, w.key, () => ex.insert(d.policy.table).select(w.select).returning(d.selection()), w.values) as Row[]
    if (raw.length === 0) return undefined
    const rows = this.inScope(d, raw, raw.length)
    await this.queue(ex, ctx, d, rows, 'C', w.audit, keys)
    return d.project(rows[0]!)
  }

  /**
   * Creates the record or, when one already holds the `target` key (a school's one settings
   * row), `onConflict` decides: a set of values updates it inside the caller's scope (out of
   * scope → 404); 'nothing' leaves it as it is and answers undefined, auditing nothing (another
   * request made it first). Checked, projected and audited like create (C unless audit.action).
   */
  async upsert(ex: Executor, ctx: RequestContext, d: Decision, target: PgColumn | PgColumn[],
    w: WriteOptions & { onConflict: 'nothing' | Record<string, unknown> }): Promise<Row | undefined> {
    const keys = sentKeys(w.input)
    d.assertWritable(keys)
    const insert = ex.insert(d.policy.table).values({ ...definedOf(w.input), ...w.values })
    const raw = await (w.onConflict === 'nothing'
      ? insert.onConflictDoNothing({ target })
      : insert.onConflictDoUpdate({ target, set: w.onConflict, setWhere: d.where() })).returning(d.selection()) as Row[]
    if (raw.length === 0) {
      if (w.onConflict === 'nothing') return undefined
      throw new NotFound()
    }
    const rows = this.inScope(d, raw, 1)
    await this.queue(ex, ctx, d, rows, 'C', w.audit, keys)
    return d.project(rows[0]!)
  }

  /** Updates one record by id, inside the caller's scope (0 rows → 404); the row as the caller reads it. */
  async update(ex: Executor, ctx: RequestContext, d: Decision, id: string, w: WriteOptions): Promise<Row> {
    const rows = await this.updateWhere(ex, ctx, d, and(eq(d.column(d.policy.idColumn), id), w.where)!, w)
    if (rows.length === 0) throw new NotFound()
    return rows[0]!
  }

  /** Updates every row in scope that matches `where`; the rows as the caller reads them (maybe none). */
  async updateWhere(ex: Executor, ctx: RequestContext, d: Decision, where: SQL, w: WriteOptions): Promise<Row[]> {
    const keys = sentKeys(w.input)
    d.assertWritable(keys)
    const set = { ...definedOf(w.input), ...w.values }
    if (Object.keys(set).length === 0) {
      const rows = await ex.select(d.selection()).from(d.policy.table).where(and(where, d.where())) as Row[]
      await this.queue(ex, ctx, d, rows, 'U', w.audit, keys)
      return rows.map((r) => d.project(r))
    }
    const raw = await ex.update(d.policy.table).set(set).where(and(where, d.where())).returning(d.selection()) as Row[]
    await this.queue(ex, ctx, d, raw, 'U', w.audit, keys)
    return raw.map((r) => d.project(r))
  }

  /** Deletes one record by id inside the caller's scope (0 rows → 404); the deleted row as the caller read it. */
  async remove(ex: Executor, ctx: RequestContext, d: Decision, id: string, w: Pick<WriteOptions, 'where' | 'audit'> = {}): Promise<Row> {
    const raw = await ex.delete(d.policy.table)
      .where(and(eq(d.column(d.policy.idColumn), id), w.where, d.where())).returning(d.selection()) as Row[]
    if (raw.length === 0) throw new NotFound()
    await this.queue(ex, ctx, d, raw, 'D', w.audit, [])
    return d.project(raw[0]!)
  }

  /** Deletes every row in scope that matches `where` (a batch: the 升年级 undo); the deleted rows as the caller read them (maybe none). */
  async removeWhere(ex: Executor, ctx: RequestContext, d: Decision, where: SQL, w: Pick<WriteOptions, 'audit'> = {}): Promise<Row[]> {
    const raw = await ex.delete(d.policy.table).where(and(where, d.where())).returning(d.selection()) as Row[]
    await this.queue(ex, ctx, d, raw, 'D', w.audit, [])
    return raw.map((r) => d.project(r))
  }

  /**
   * A record the system writes as the consequence of a caller's act, which the caller's roles
   * do not write themselves: a case's event row, a notification to a colleague, an alert raised
   * by a rule. No writable-field check (the service sets every value), but the same audit row,
   * naming the caller. A visitor without an account (the letter box) has no context: null,
   * and the caller writes its own audit row (auditAs false).
   */
  async record(ex: Executor, ctx: RequestContext | null, resource: string, values: Record<string, unknown> | Record<string, unknown>[], auditAs?: { action?: AuditAction; fieldGroups?: string[] } | false): Promise<Row[]> {
    const policy = this.policies.get(resource)
    if (!policy) throw new Error(`no policy ${resource}`)
    const list = Array.isArray(values) ? values : [values]
    if (list.length === 0) return []
    const raw = await (list.length >= JSON_BATCH_MIN ? insertFromJson(ex, policy.table, list, getTableColumns(policy.table)) : undefined)
      ?? await ex.insert(policy.table).values(list).returning()
    if (auditAs !== false) {
      if (!ctx) throw new Error(`record ${resource}: an audited record names its caller`)
      const groups = auditAs?.fieldGroups ?? groupsOfPolicy(policy.fields, Object.keys(list[0]!))
      await this.append(ex, ctx, {
        action: auditAs?.action ?? 'C', resource, roles: ctx.decision.roles,
        recordIds: raw.map((r) => r[policy.idColumn]).filter((v): v is string => typeof v === 'string'),
        studentIds: policy.relations.student ? uniqueStrings(raw.map((r) => r[policy.relations.student!])) : [],
        fieldGroups: groups,
      })
    }
    return raw
  }

  /** Changes to records the system keeps for a caller's act (see record): by id, audited as U. */
  async recordUpdate(ex: Executor, ctx: RequestContext, resource: string, where: SQL, set: Record<string, unknown>, auditAs?: { fieldGroups?: string[] } | false): Promise<Row[]> {
    const policy = this.policies.get(resource)
    if (!policy) throw new Error(`no policy ${resource}`)
    const school = (getTableColumns(policy.table) as Record<string, PgColumn>)[policy.relations.school]!
    const raw = await ex.update(policy.table).set(set)
      .where(and(where, ctx.actor.schoolId ? eq(school, ctx.actor.schoolId) : undefined)).returning() as Row[]
    if (auditAs !== false && raw.length) {
      await this.append(ex, ctx, {
        action: 'U', resource, roles: ctx.decision.roles,
        recordIds: raw.map((r) => r[policy.idColumn]).filter((v): v is string => typeof v === 'string'),
        studentIds: policy.relations.student ? uniqueStrings(raw.map((r) => r[policy.relations.student!])) : [],
        fieldGroups: auditAs?.fieldGroups ?? groupsOfPolicy(policy.fields, Object.keys(set)),
      })
    }
    return raw
  }

  /** Field groups the written keys belong to, for the audit row (names of groups, never values). */
  groupsOf(d: Decision, keys: Iterable<string>): string[] {
    return groupsOfPolicy(d.policy.fields, keys)
  }

  /** A created row none of the caller's grants reaches was written for someone else's pupil: 404, nothing kept. */
  private inScope(d: Decision, raw: Row[], expected: number): Row[] {
    const reached = raw.filter((r) => d.grants.some((_, i) => isTrue(r[`__g${i}`])))
    if (reached.length !== expected) throw new NotFound()
    return reached
  }

  private async queue(ex: Executor, ctx: RequestContext, d: Decision, raw: Row[], action: AuditAction,
    auditAs: WriteOptions['audit'], keys: Iterable<string>): Promise<void> {
    if (auditAs === false || raw.length === 0) return
    await this.append(ex, ctx, {
      action: auditAs?.action ?? action,
      resource: d.resource,
      roles: d.roles,
      recordIds: idsOf(d, raw),
      studentIds: studentIdsOf(d, raw),
      fieldGroups: auditAs?.fieldGroups ?? this.groupsOf(d, keys),
    })
  }

  private async append(ex: Executor, ctx: RequestContext, e: Pick<AuditEvent, 'action' | 'resource' | 'roles' | 'recordIds' | 'studentIds' | 'fieldGroups'>): Promise<void> {
    const event: AuditEvent = {
      ...e, actorId: ctx.actor.userId, outcome: 'ok', requestId: ctx.requestId, purpose: ctx.purpose, schoolId: ctx.actor.schoolId,
    }
    if (!queueAudit(ex, event)) await appendAudit(ex, event)
  }
}

/**
 * From this many rows a batch travels as one JSON parameter instead of one parameter per value:
 * the embedded database parses a VALUES list of thousands of parameters at up to a millisecond a
 * row, which held an import's slices (and every other request) up.
 */
const JSON_BATCH_MIN = 16

/**
 * INSERT … SELECT … FROM json_populate_recordset(null::<table>, $1) RETURNING <returning>: the
 * same rows and answer as INSERT … VALUES. undefined when the rows do not all name the same
 * columns, a value is an SQL expression, or a column left out has a default computed in
 * JavaScript; the caller then uses VALUES.
 */
async function insertFromJson(ex: Executor, table: PgTable, values: Record<string, unknown>[],
  returning: Record<string, PgColumn | SQL.Aliased>): Promise<Row[] | undefined> {
  const columns = getTableColumns(table) as Record<string, PgColumn>
  const keys = Object.keys(values[0]!).sort()
  if (values.some((v) => Object.keys(v).length !== keys.length || keys.some((k) => !(k in v)))) return undefined
  // A value computed by the database (an SQL expression) has no JSON form.
  if (values.some((v) => keys.some((k) => isSql(v[k])))) return undefined
  // A sealed column is sealed by its drizzle type as a parameter; the JSON path would store it in the clear.
  if (keys.some((k) => columns[k] && sealedColumnOf(getTableName(table), columns[k].name))) return undefined
  const fields: Record<string, SQL.Aliased> = {}
  for (const [key, col] of Object.entries(columns)) {
    const name = sql.identifier(col.name)
    let expr: SQL
    if (keys.includes(key)) expr = sql`x.${name}`
    else if (col.defaultFn || col.onUpdateFn) return undefined
    else if (is(col.default, SQL)) expr = col.default
    else if (col.default !== undefined) expr = sql`${col.mapToDriverValue(col.default)}::${sql.raw(col.getSQLType())}`
    else expr = sql`null::${sql.raw(col.getSQLType())}`
    fields[key] = expr.as(col.name)
  }
  const json = JSON.stringify(values.map((v) => Object.fromEntries(keys.map((k) => [columns[k]!.name, jsonValue(v[k])]))))
  return await ex.insert(table)
    .select((qb) => qb.select(fields).from(sql`json_populate_recordset(null::${table}, ${json}::json) as x`))
    .returning(returning)
}

function isSql(v: unknown): boolean {
  return is(v, SQL) || (typeof v === 'object' && v !== null && 'getSQL' in v)
}

function jsonValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v
}

/** Keys the caller actually sent (zod leaves absent optional keys out; undefined is not a write). */
export function sentKeys(body: object | undefined): string[] {
  return body ? Object.entries(body).filter(([, v]) => v !== undefined).map(([k]) => k) : []
}

function definedOf(body: object | undefined): Record<string, unknown> {
  return body ? Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) : {}
}

function groupsOfPolicy(fields: Record<string, readonly string[]>, keys: Iterable<string>): string[] {
  const wanted = new Set(keys)
  return Object.entries(fields).filter(([, fs]) => fs.some((f) => wanted.has(f))).map(([g]) => g).sort()
}

function uniqueStrings(vs: unknown[]): string[] {
  return [...new Set(vs.filter((v): v is string => typeof v === 'string'))]
}

function isTrue(v: unknown): boolean {
  return v === true || v === 't' || v === 1
}
