import type { PgTable } from 'drizzle-orm/pg-core'
import type { Role } from './roles.js'

export const Actions = ['read', 'list', 'create', 'update', 'delete', 'transition', 'export', 'import'] as const
export type Action = (typeof Actions)[number]

/**
 * Which rows a role reaches:
 * - school: every row of the actor's own school
 * - class: rows of students in the classes the role's grants name
 * - paired: rows of students with an active pairing to the actor (师生结对)
 * - own: rows the actor submitted or owns
 * - none: no rows at all (the action is allowed only where no row is involved)
 * - district: rows whose district column names the district of one of the actor's
 *   district_staff grants; the only scope not bound to the actor's school (区教育局 aggregates)
 */
export const Scopes = ['school', 'class', 'paired', 'own', 'none', 'district'] as const
export type Scope = (typeof Scopes)[number]

export interface RolePolicy<G extends string> {
  actions: readonly Action[]
  scope: Scope
  /** Field groups this role reads; every other field is absent from its answers. */
  read: readonly G[]
  /** Field groups this role may set on create/update; anything else is a 400. */
  write?: readonly G[]
}

type ColumnKey<T extends PgTable> = Extract<keyof T['$inferSelect'], string>

export interface ResourcePolicy<T extends PgTable = PgTable, G extends string = string> {
  resource: string
  table: T
  /** Primary key column (the `id` part; school_id is always the other half). */
  idColumn: ColumnKey<T>
  /** Field groups: every column of the table belongs to exactly one group. */
  fields: Record<G, readonly ColumnKey<T>[]>
  /** How scopes reach this table: the column naming the student, class or owner. */
  relations: {
    school: ColumnKey<T>
    class?: ColumnKey<T>
    student?: ColumnKey<T>
    owner?: ColumnKey<T>
    /**
     * The column naming the mentor on records a mentor writes (pairings, mentor contacts):
     * with `paired` scope the caller then reaches only their own, not a previous mentor's.
     */
    mentor?: ColumnKey<T>
    /** The district column, for `district` scope (reference tables such as schools). */
    district?: ColumnKey<T>
  }
  /** Student ids found in these columns are written to the audit row (ids only). */
  audit?: { sensitive: boolean }
  roles: Partial<Record<Role, RolePolicy<NoInfer<G>>>>
}

/**
 * Policies are typed data: a field that is not a column of `table` fails to
 * compile, and a group a role names must be one of this resource's groups.
 */
export function definePolicy<T extends PgTable, G extends string>(p: ResourcePolicy<T, G>): ResourcePolicy<T, G> {
  return p
}
