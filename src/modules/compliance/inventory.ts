import { getTableColumns, getTableName, sql } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { ResourcePolicy, RolePolicy } from '../../access/define.js'
import type { Role } from '../../access/roles.js'
import { queryRows, type Executor } from '../../db/database.js'
import type { ComplianceReportT } from './schemas.js'
import type { SealedColumns } from './sealed.js'

type Inventory = ComplianceReportT['inventory']

/**
 * What the school holds: every resource whose rows belong to a school through a column of
 * their own (school_id, or to_school_id for transfer packages as the receiving school holds
 * them). The schools table itself (the school's name and settings, read by the district as
 * reference data) is not personal data of the school's people and is left out.
 */
export function schoolPolicies(policies: readonly ResourcePolicy[]): ResourcePolicy[] {
  return policies.filter((p) => getTableName(p.table) !== 'schools' && columnOf(p, p.relations.school) !== undefined)
}

function columnOf(p: ResourcePolicy, key: string | undefined): PgColumn | undefined {
  return key ? (getTableColumns(p.table) as Record<string, PgColumn>)[key] : undefined
}

/**
 * 数据清单 and 访问权限 from the policies themselves (policies/): each table the school holds, its
 * field groups with their fields, whether its reads are sensitive and its fields sealed, and
 * which roles read or write each group under which scope. Only the counts of rows come from
 * the database.
 */
export async function inventoryOf(ex: Executor, policies: readonly ResourcePolicy[], schoolId: string, sealed: SealedColumns): Promise<Inventory> {
  const own = schoolPolicies(policies)
  const counts = await recordCounts(ex, own, schoolId)
  return own.map((p) => {
    const table = getTableName(p.table)
    const roles = Object.entries(p.roles) as Array<[Role, RolePolicy<string>]>
    return {
      resource: p.resource,
      table,
      records: counts.get(p.resource) ?? 0,
      aboutStudents: table === 'students' || p.relations.student !== undefined,
      sensitive: p.audit?.sensitive === true,
      groups: Object.entries(p.fields).map(([group, fields]) => ({
        group,
        fields: [...fields],
        encrypted: encryptedState(sealed, table, fields.map((f) => columnOf(p, f)?.name ?? f)),
        readers: roles.filter(([, rp]) => rp.read.includes(group)).map(([role, rp]) => ({ role, scope: rp.scope, actions: [...rp.actions] })),
        writers: roles.filter(([, rp]) => (rp.write ?? []).includes(group)).map(([role]) => role),
      })),
    }
  })
}

function encryptedState(sealed: SealedColumns, table: string, columns: string[]): Inventory[number]['groups'][number]['encrypted'] {
  if (!sealed.known) return 'unknown'
  const n = columns.filter((c) => sealed.columns.has(`${table}.${c}`)).length
  return n === 0 ? 'none' : n === columns.length ? 'all' : 'some'
}

/** Rows per table of one school, in one statement. */
async function recordCounts(ex: Executor, own: ResourcePolicy[], schoolId: string): Promise<Map<string, number>> {
  if (own.length === 0) return new Map()
  const parts = own.map((p) => sql`select ${p.resource}::text as resource, count(*)::bigint as n from ${p.table} where ${columnOf(p, p.relations.school)!} = ${schoolId}::uuid`)
  const rows = await queryRows<{ resource: string; n: string | number }>(ex, sql.join(parts, sql` union all `))
  return new Map(rows.map((r) => [r.resource, Number(r.n)]))
}
