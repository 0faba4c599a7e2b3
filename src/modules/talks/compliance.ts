import { and, eq, gte, lte, sql, type SQL } from 'drizzle-orm'
import { talkDuties } from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'

export interface ComplianceCounts {
  kind: string
  windowKey: string
  windowStart: string
  dueDate: string
  total: number
  done: number
  doneLate: number
  overdue: number
  open: number
  onTimePct: number | null
}

const counts = {
  kind: talkDuties.kind,
  windowKey: talkDuties.windowKey,
  windowStart: sql<string>`min(${talkDuties.windowStart})`,
  dueDate: sql<string>`max(${talkDuties.dueDate})`,
  total: sql<number>`count(*)::int`,
  done: sql<number>`(count(*) filter (where ${talkDuties.status} = 'done'))::int`,
  doneLate: sql<number>`(count(*) filter (where ${talkDuties.status} = 'done_late'))::int`,
  overdue: sql<number>`(count(*) filter (where ${talkDuties.status} = 'overdue'))::int`,
  open: sql<number>`(count(*) filter (where ${talkDuties.status} = 'open'))::int`,
}

/**
 * % on time among the duties already decided: an open duty whose window has not closed is
 * neither on time nor late yet, so it does not pull a current window down.
 */
function withRate<T extends { total: number; done: number; open: number; windowStart: unknown; dueDate: unknown }>(r: T): T & { onTimePct: number | null } {
  const decided = Number(r.total) - Number(r.open)
  return {
    ...r,
    windowStart: String(r.windowStart),
    dueDate: String(r.dueDate),
    onTimePct: decided > 0 ? Math.round((1000 * Number(r.done)) / decided) / 10 : null,
  }
}

export interface ComplianceFilter { kind?: string | undefined; from?: string | undefined; to?: string | undefined }

function filterOf(f: ComplianceFilter): SQL | undefined {
  return and(
    f.kind ? eq(talkDuties.kind, f.kind) : undefined,
    f.from ? gte(talkDuties.dueDate, f.from) : undefined,
    f.to ? lte(talkDuties.dueDate, f.to) : undefined,
  )
}

/**
 * Talk-duty compliance per class and window (counts only: no student appears). `scope` is
 * the caller's row filter when a request asks; the district module passes none.
 */
export async function complianceByClass(ex: Executor, schoolId: string, f: ComplianceFilter = {}, scope?: SQL): Promise<Array<ComplianceCounts & { classId: string }>> {
  const rows = await ex.select({ classId: talkDuties.classId, ...counts }).from(talkDuties)
    .where(and(eq(talkDuties.schoolId, schoolId), filterOf(f), scope))
    .groupBy(talkDuties.classId, talkDuties.kind, talkDuties.windowKey)
    .orderBy(sql`max(${talkDuties.dueDate})`, talkDuties.kind, talkDuties.windowKey, talkDuties.classId)
  return rows.map(withRate)
}
