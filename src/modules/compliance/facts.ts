import { sql, type SQL } from 'drizzle-orm'
import type { ResourcePolicy } from '../../access/define.js'
import { verifyAuditChain, type VerifyResult } from '../../audit/audit.js'
import { secondFactorByDefault, type Config } from '../../config.js'
import { queryRows, type Executor } from '../../db/database.js'
import { inventoryOf } from './inventory.js'
import type { ComplianceReportT } from './schemas.js'
import { sealedColumns } from './sealed.js'

/** The audit rows of the retention job (src/jobs/retention.ts) name it in their roles column. */
export const RETENTION_ROLES = 'job:retention'
/** Transfer packages between schools, audited in the acting school: as sent, and as received. */
export const TRANSFER_RESOURCES = ['student_transfers', 'student_transfers_received'] as const

export interface ReportScope {
  schoolId: string
  year: number
  timeZone: string
}

export interface ReportSettings {
  archiveAfterDays: number
  purgeAfterDays: number
  /** What a school without its own setting gets (REQUIRE_SECOND_FACTOR; on in production). */
  secondFactorDefault: boolean
}

export function reportSettings(config: Config): ReportSettings {
  return {
    archiveAfterDays: config.RETENTION_ARCHIVE_AFTER_DAYS,
    purgeAfterDays: config.RETENTION_PURGE_AFTER_DAYS,
    secondFactorDefault: secondFactorByDefault(config),
  }
}

/**
 * The year's audit rows of one school: from 1 January 00:00 to the next 1 January in the
 * schools' time zone. A calendar year, as the yearly audit of minors' personal information
 * (未成年人网络保护条例 第三十七条) is asked for by year, not by school year.
 */
function inYear(s: ReportScope): SQL {
  return sql`a.school_id = ${s.schoolId}::uuid
    and a.ts >= (${`${s.year}-01-01`}::date)::timestamp at time zone ${s.timeZone}::text
    and a.ts < (${`${s.year + 1}-01-01`}::date)::timestamp at time zone ${s.timeZone}::text`
}

const n = (v: unknown) => Number(v ?? 0)

/**
 * Every figure of the report except the chain verification, for one school and one calendar
 * year: counts only. Nothing here selects a name, a student id, a user name, a phone number or
 * a value of a record; rows are grouped by role, purpose, action, resource and outcome.
 * Runs in the caller's transaction (behind the school wall for a request, as the owner for the
 * command-line tool).
 */
export async function complianceFacts(ex: Executor, policies: readonly ResourcePolicy[], scope: ReportScope, settings: ReportSettings):
Promise<Omit<ComplianceReportT, 'auditChain' | 'generatedAt'> & { schoolRowsInYear: number }> {
  const where = inYear(scope)
  const [school] = await queryRows<{ name: string; code: string; require_second_factor: boolean | null }>(ex, sql`
    select name, code, require_second_factor from schools where id = ${scope.schoolId}::uuid`)

  const access = await queryRows<{ roles: string; purpose: string | null; action: string; count: string | number }>(ex, sql`
    select a.actor_roles as roles, a.purpose, a.action, count(*) as count from audit_log a
    where ${where} and a.outcome = 'ok'
    group by 1, 2, 3 order by 1, 2 nulls first, 3`)
  const byResource = await queryRows<{ resource: string; action: string; count: string | number }>(ex, sql`
    select a.resource, a.action, count(*) as count from audit_log a
    where ${where} and a.outcome = 'ok'
    group by 1, 2 order by 1, 2`)
  const denied = await queryRows<{ roles: string; resource: string; outcome: string; count: string | number }>(ex, sql`
    select a.actor_roles as roles, a.resource, a.outcome, count(*) as count from audit_log a
    where ${where} and a.outcome <> 'ok'
    group by 1, 2, 3 order by 1, 2, 3`)
  const exports = await queryRows<{ roles: string; resource: string; count: string | number }>(ex, sql`
    select a.actor_roles as roles, a.resource, count(*) as count from audit_log a
    where ${where} and a.action = 'E' and a.outcome = 'ok'
    group by 1, 2 order by 1, 2`)
  const transfers = await queryRows<{ resource: string; action: string; outcome: string; count: string | number }>(ex, sql`
    select a.resource, a.action, a.outcome, count(*) as count from audit_log a
    where ${where} and a.resource in (${sql.join(TRANSFER_RESOURCES.map((r) => sql`${r}`), sql`, `)})
    group by 1, 2, 3 order by 1, 2, 3`)
  const retention = await queryRows<{ resource: string; events: string | number; records: string | number }>(ex, sql`
    select a.resource, count(*) as events, coalesce(sum(cardinality(a.record_ids)), 0) as records from audit_log a
    where ${where} and a.actor_roles = ${RETENTION_ROLES} and a.action = 'D'
    group by 1 order by 1`)
  const [rows] = await queryRows<{ total: string | number }>(ex, sql`select count(*) as total from audit_log a where ${where}`)

  // Accounts of the school that can sign in, per role held here; a person with two roles counts under each.
  const factor = await queryRows<{ role: string; users: string | number; enabled: string | number }>(ex, sql`
    select r.role, count(distinct u.id) as users, count(distinct u.id) filter (where u.totp_enabled_at is not null) as enabled
    from user_roles r join users u on u.id = r.user_id
    where r.school_id = ${scope.schoolId}::uuid and u.status = 'active'
    group by 1 order by 1`)
  const [factorTotal] = await queryRows<{ users: string | number; enabled: string | number }>(ex, sql`
    select count(distinct u.id) as users, count(distinct u.id) filter (where u.totp_enabled_at is not null) as enabled
    from users u where u.status = 'active'
      and (u.school_id = ${scope.schoolId}::uuid or exists (select 1 from user_roles r where r.user_id = u.id and r.school_id = ${scope.schoolId}::uuid))`)

  const own = school?.require_second_factor ?? null
  const sum = (xs: Array<{ count: string | number }>) => xs.reduce((a, r) => a + n(r.count), 0)
  return {
    school: { name: school?.name ?? '', code: school?.code ?? '' },
    year: scope.year,
    period: { from: `${scope.year}-01-01`, to: `${scope.year}-12-31`, timeZone: scope.timeZone },
    inventory: await inventoryOf(ex, policies, scope.schoolId, sealedColumns()),
    access: {
      total: sum(access),
      byRolePurposeAction: access.map((r) => ({ roles: r.roles, purpose: r.purpose, action: r.action, count: n(r.count) })),
      byResourceAction: byResource.map((r) => ({ resource: r.resource, action: r.action, count: n(r.count) })),
    },
    denied: { total: sum(denied), rows: denied.map((r) => ({ roles: r.roles, resource: r.resource, outcome: r.outcome, count: n(r.count) })) },
    exports: { total: sum(exports), rows: exports.map((r) => ({ roles: r.roles, resource: r.resource, count: n(r.count) })) },
    transfers: { total: sum(transfers), rows: transfers.map((r) => ({ resource: r.resource, action: r.action, outcome: r.outcome, count: n(r.count) })) },
    retention: {
      archiveAfterDays: settings.archiveAfterDays,
      purgeAfterDays: settings.purgeAfterDays,
      events: retention.reduce((a, r) => a + n(r.events), 0),
      records: retention.reduce((a, r) => a + n(r.records), 0),
      rows: retention.map((r) => ({ resource: r.resource, events: n(r.events), records: n(r.records) })),
    },
    secondFactor: {
      setting: own === null ? 'default' : own ? 'on' : 'off',
      required: own ?? settings.secondFactorDefault,
      byRole: factor.map((r) => ({ role: r.role, users: n(r.users), enabled: n(r.enabled) })),
      total: { users: n(factorTotal?.users), enabled: n(factorTotal?.enabled) },
    },
    schoolRowsInYear: n(rows?.total),
  }
}

/**
 * The chain's verification (the same as npm run audit:verify): the chain spans every school, so
 * it is recomputed whole, as the owner; the answer holds a count and at most a sequence number.
 * `verified`: a result already computed in the same run (one check serves every school).
 */
export async function chainResult(owner: Executor, schoolRowsInYear: number, now: Date, verified?: VerifyResult): Promise<ComplianceReportT['auditChain']> {
  const r = verified ?? await verifyAuditChain(owner)
  return { ok: r.ok, checked: r.total, firstBrokenSeq: r.firstBrokenSeq, schoolRowsInYear, checkedAt: now.toISOString() }
}
