import { writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { sql } from 'drizzle-orm'
import type { ResourcePolicy } from '../../access/define.js'
import { appendAudit, verifyAuditChain } from '../../audit/audit.js'
import type { Config } from '../../config.js'
import { queryRows, type Database } from '../../db/database.js'
import { reportHtml, reportWorkbook } from './export.js'
import { reportSettings } from './facts.js'
import { labeller } from './labels.js'
import { FIRST_YEAR, LAST_YEAR, type ComplianceReportT } from './schemas.js'
import { completeReport, fileName, readFacts } from './service.js'

export interface CliArgs { year: number; school?: string; out?: string }

/** The roles column of the audit row a command-line export writes (as the jobs write theirs). */
export const CLI_ROLES = 'job:compliance-report'

/** `--year 2026 [--school <code>] [--out file.xlsx|file.html]`; an error names the flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`)
    return v
  }
  const known = new Set(['--year', '--school', '--out'])
  const stray = argv.filter((a, i) => a.startsWith('--') ? !known.has(a) : !known.has(argv[i - 1] ?? ''))
  if (stray.length) throw new Error(`unknown argument ${stray[0]}; usage: --year 2026 [--school <code>] [--out file.xlsx|file.html]`)
  const y = value('--year')
  if (!y || !/^\d{4}$/.test(y) || Number(y) < FIRST_YEAR || Number(y) > LAST_YEAR) throw new Error(`--year takes a calendar year (${FIRST_YEAR}–${LAST_YEAR})`)
  const out = value('--out')
  if (out !== undefined && !/\.(xlsx|html)$/i.test(out)) throw new Error('--out names an .xlsx or an .html file (the other is written beside it)')
  const school = value('--school')
  return { year: Number(y), ...(school !== undefined ? { school } : {}), ...(out !== undefined ? { out } : {}) }
}

export interface CliResult { school: string; code: string; xlsx: string; html: string; report: ComplianceReportT }

/**
 * Writes the report of every school (or the one named by its code) as .xlsx and .html, as the
 * owner connection. `--out` names one of the two files, the other is written beside it with
 * the same stem; for several schools each school's code is added to the stem. Each export is
 * audited (E) in the school's rows, as the web client's exports are.
 */
export async function runComplianceReport(database: Database, config: Config, policies: readonly ResourcePolicy[], args: CliArgs,
  now: () => Date = () => new Date()): Promise<CliResult[]> {
  const { db } = database
  const schools = await queryRows<{ id: string; code: string; name: string }>(db, args.school
    ? sql`select id, code, name from schools where code = ${args.school} order by code`
    : sql`select id, code, name from schools order by code`)
  if (schools.length === 0) throw new Error(args.school ? `no school with the code ${args.school}` : 'no schools in this database')
  const settings = reportSettings(config)
  const zh = await labeller('zh-CN')
  const results: CliResult[] = []
  // The chain spans every school: checked once for the run, before any export adds to it.
  const verified = await verifyAuditChain(db)
  for (const s of schools) {
    const facts = await readFacts(db, policies, { schoolId: s.id, year: args.year, timeZone: config.TZ_SCHOOL }, settings)
    const report = await completeReport(facts, db, now(), verified)
    const [xlsx, html] = pathsFor(args, s.code, schools.length > 1, report)
    await writeFile(xlsx, await reportWorkbook(report, zh, 'zh-CN'))
    await writeFile(html, reportHtml(report, zh, 'zh-CN'))
    await appendAudit(db, {
      actorId: null, roles: CLI_ROLES, action: 'E', resource: 'audit_log', recordIds: [String(args.year)],
      fieldGroups: ['what', 'chain'], outcome: 'ok', schoolId: s.id,
    })
    results.push({ school: s.name, code: s.code, xlsx, html, report })
  }
  return results
}

function pathsFor(args: CliArgs, code: string, several: boolean, r: ComplianceReportT): [string, string] {
  if (!args.out) {
    const stem = fileName(r, 'xlsx').replace(/\.xlsx$/, '')
    return [`${stem}.xlsx`, `${stem}.html`]
  }
  const stem = join(dirname(args.out), basename(args.out, extname(args.out)) + (several ? `-${code}` : ''))
  return [`${stem}.xlsx`, `${stem}.html`]
}

/** The lines the command prints for one school: counts only. */
export function summaryLines(r: CliResult): string[] {
  const rep = r.report
  return [
    `${r.code} ${r.school} ${rep.year}`,
    `  data: ${rep.inventory.length} tables, ${rep.inventory.reduce((a, e) => a + e.records, 0)} records`,
    `  accesses ${rep.access.total}, refused ${rep.denied.total}, exports ${rep.exports.total}, transfers ${rep.transfers.total}, retention deletions ${rep.retention.records}`,
    `  second factor: ${rep.secondFactor.total.enabled}/${rep.secondFactor.total.users} accounts (${rep.secondFactor.required ? 'required' : 'not required'})`,
    `  audit chain: ${rep.auditChain.ok ? 'OK' : `BROKEN at seq ${rep.auditChain.firstBrokenSeq}`} (${rep.auditChain.checked} rows checked)`,
    `  wrote ${r.xlsx} and ${r.html}`,
  ]
}
