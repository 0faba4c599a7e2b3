import type { Gateway } from '../../access/gateway.js'
import type { VerifyResult } from '../../audit/audit.js'
import type { Executor } from '../../db/database.js'
import type { ResourcePolicy } from '../../access/define.js'
import type { RequestContext } from '../../plugins/access.js'
import { reportHtml, reportWorkbook } from './export.js'
import { chainResult, complianceFacts, reportSettings, type ReportSettings } from './facts.js'
import { labeller, type Lang } from './labels.js'
import type { ComplianceReportT } from './schemas.js'

type Facts = Awaited<ReturnType<typeof complianceFacts>>

/**
 * The whole report of one school and one calendar year: the facts read in the caller's
 * transaction, then the chain verified as the owner (`owner`) after it — the embedded database
 * runs one transaction at a time, so the owner's statement cannot run inside it.
 */
export async function completeReport({ schoolRowsInYear, ...facts }: Facts, owner: Executor, now: Date, verified?: VerifyResult): Promise<ComplianceReportT> {
  return { ...facts, generatedAt: now.toISOString(), auditChain: await chainResult(owner, schoolRowsInYear, now, verified) }
}

export function readFacts(ex: Executor, policies: readonly ResourcePolicy[], scope: { schoolId: string; year: number; timeZone: string }, settings: ReportSettings): Promise<Facts> {
  return complianceFacts(ex, policies, scope, settings)
}

export function fileName(r: ComplianceReportT, ext: 'xlsx' | 'html'): string {
  return `${r.school.name}${r.year}年未成年人个人信息保护合规审计报告.${ext}`
}

/**
 * 合规审计 for the school admin: the report of their own school, read behind the school wall
 * in their transaction. Viewing it is audited as a read of the audit log, exporting it as an
 * export (E) of it.
 */
export function createComplianceService(gw: Gateway, clock: () => Date = () => new Date()) {
  const { db } = gw.database
  const settings = reportSettings(gw.config)
  const timeZone = gw.config.TZ_SCHOOL

  async function build(ctx: RequestContext, year: number, exported: boolean): Promise<ComplianceReportT> {
    const facts = await gw.tx(ctx, async (tx) => {
      const f = await readFacts(tx, gw.policies.all(), { schoolId: ctx.actor.schoolId!, year, timeZone }, settings)
      await gw.audit(tx, ctx, { action: exported ? 'E' : 'R', recordIds: [String(year)], fieldGroups: ['what', 'chain'] })
      return f
    })
    return completeReport(facts, db, clock())
  }

  return {
    report(ctx: RequestContext, year: number): Promise<ComplianceReportT> {
      return build(ctx, year, false)
    },

    async workbook(ctx: RequestContext, year: number, lang: Lang): Promise<{ file: Buffer; name: string }> {
      const r = await build(ctx, year, true)
      return { file: await reportWorkbook(r, await labeller(lang), lang), name: fileName(r, 'xlsx') }
    },

    async printHtml(ctx: RequestContext, year: number, lang: Lang): Promise<string> {
      const r = await build(ctx, year, true)
      return reportHtml(r, await labeller(lang), lang)
    },
  }
}

export type ComplianceService = ReturnType<typeof createComplianceService>
