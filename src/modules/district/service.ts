import type { Gateway } from '../../access/gateway.js'
import { withActorTx } from '../../access/transaction.js'
import { audit, readMany } from '../../access/query.js'
import { AppError, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { dayIn } from './school-year.js'
import { type DistrictTables, type TableName } from './tables.js'
import { districtWorkbook, type StaffingAnswer } from './export.js'
import {
  createRelease, listReleases, lockDistrict, nextOnDemandDay, latestRelease, releasePayload, releaseRow,
  type ReleasePayload, type ReleaseRow, type ReleaseTrigger, type StoredRelease,
} from './release.js'

/** A province-sized district is far below this; the cap keeps one request bounded. */
const MAX_SCHOOLS = 5000

export interface TablesAnswer {
  table: TableName
  schoolYear: string
  previousSchoolYear: string
  generatedAt: string
  threshold: number
  releaseId: string | null
  releasedOn: string | null
  districts: Array<{ districtId: string; releaseId: string; releasedOn: string } & Record<string, unknown>>
}

export interface ReleasesAnswer {
  items: Array<{ id: string; districtId: string; releasedOn: string; createdAt: string; trigger: ReleaseTrigger }>
  /** Per district of the caller: the first day an on-demand release is allowed (null: now). */
  onDemand: Array<{ districtId: string; allowedFrom: string | null }>
}

export function createDistrictService(gw: Gateway) {
  const { db } = gw.database
  const tz = gw.config.TZ_SCHOOL
  // Releases never change, so a parsed payload can be kept as long as memory allows (a few).
  const payloads = new Map<string, ReleasePayload>()
  async function loadRelease(districtId: string, id?: string): Promise<StoredRelease | null> {
    const row = await releaseRow(db, districtId, id)
    if (!row) return null
    let payload = payloads.get(row.id)
    if (!payload) {
      payload = await releasePayload(db, row.id)
      payloads.set(row.id, payload)
      if (payloads.size > 16) payloads.delete(payloads.keys().next().value!)
    }
    return { ...row, payload }
  }

  /** The caller's districts (sorted) and schools, through the district decision. */
  async function reach(ctx: RequestContext): Promise<{ districtIds: string[]; schoolIds: string[] }> {
    const { items } = await withActorTx(db, ctx.actor, (tx) => readMany(tx, ctx.decision, {
      sort: [{ field: 'code', dir: 'asc' }], limit: MAX_SCHOOLS, offset: 0,
    }))
    return {
      districtIds: [...new Set(items.map((s) => String(s.districtId)))].sort(),
      schoolIds: items.map((s) => String(s.id)),
    }
  }

  /**
   * The release each of the caller's districts shows: the chosen one, or the latest. A district
   * without any release gets one now (its first read), so the dashboard is never empty; from
   * then on reads never recompute — only the schedule and on-demand releases add new ones.
   */
  async function releasesFor(ctx: RequestContext, releaseId?: string): Promise<{ releases: StoredRelease[]; schoolIds: string[] }> {
    const { districtIds, schoolIds } = await reach(ctx)
    if (releaseId) {
      for (const d of districtIds) {
        const r = await loadRelease(d, releaseId)
        if (r) return { releases: [r], schoolIds }
      }
      throw new NotFound()
    }
    const releases: StoredRelease[] = []
    for (const d of districtIds) {
      let r = await loadRelease(d)
      if (!r) {
        await firstRelease(ctx, d)
        r = await loadRelease(d)
      }
      if (r) releases.push(r)
    }
    return { releases, schoolIds }
  }

  /**
   * A district's first release, made by its first read. The dashboard asks for all its tables at
   * once: the requests of this process that find no release wait for one computation instead of
   * each holding a connection in a transaction while it runs. A release made in a request counts
   * on its own connection only (no side lane, createRelease): one that needed a second connection
   * while the requests waiting on its district's lock held the rest of the pool could not go on
   * until their statements timed out (seen with a pool of 5 and the district page's 7 requests).
   */
  const firstReleases = new Map<string, Promise<void>>()
  function firstRelease(ctx: RequestContext, districtId: string): Promise<void> {
    let running = firstReleases.get(districtId)
    if (!running) {
      running = db.transaction(async (tx) => {
        await lockDistrict(tx, districtId)
        if (await latestRelease(tx, districtId)) return
        const made = await createRelease(tx, { districtId, today: dayIn(tz), trigger: 'first_read' })
        await audit(tx, ctx, { action: 'C', recordIds: [made.id], studentIds: [], fieldGroups: ['release:first_read'] })
      }).finally(() => firstReleases.delete(districtId))
      firstReleases.set(districtId, running)
    }
    return running
  }

  const asTables = (r: StoredRelease): DistrictTables => ({
    districtId: r.districtId,
    schoolYear: r.payload.schoolYear,
    previousSchoolYear: r.payload.previousSchoolYear,
    generatedAt: r.payload.generatedAt,
    tables: r.payload.tables,
    stats: r.payload.stats,
  })

  const staffingOf = (releases: StoredRelease[]): StaffingAnswer => {
    const first = releases[0]?.payload.staffing
    return {
      table: 'staffing',
      year: first?.year ?? Number(dayIn(tz).slice(0, 4)),
      generatedAt: releases[0]?.payload.generatedAt ?? new Date().toISOString(),
      releaseId: releases[0]?.id ?? null,
      releasedOn: releases[0]?.releasedOn ?? null,
      threshold: first?.threshold ?? 1,
      largeSchoolEnrolment: first?.largeSchoolEnrolment ?? 0,
      fullTimeNeeded: first?.fullTimeNeeded ?? 0,
      districts: releases.map((r) => ({ ...r.payload.staffing.district, releaseId: r.id, releasedOn: r.releasedOn })),
    }
  }

  const readAudit = (ctx: RequestContext, schoolIds: string[], releases: StoredRelease[], what: string, action: 'R' | 'E' = 'R') =>
    withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
      action, recordIds: schoolIds, studentIds: [],
      fieldGroups: [...ctx.decision.readGroups(), what, ...releases.map((r) => `release:${r.id}`)],
    }))

  return {
    async table(ctx: RequestContext, table: TableName, releaseId?: string): Promise<TablesAnswer> {
      const { releases, schoolIds } = await releasesFor(ctx, releaseId)
      // Audited before the data leaves: which schools' aggregates and which release, never a student.
      await readAudit(ctx, schoolIds, releases, `table:${table}`)
      const first = releases[0]
      const today = dayIn(tz)
      return {
        table,
        schoolYear: first?.payload.schoolYear ?? today,
        previousSchoolYear: first?.payload.previousSchoolYear ?? today,
        generatedAt: first?.payload.generatedAt ?? new Date().toISOString(),
        threshold: first?.payload.threshold ?? 10,
        releaseId: first?.id ?? null,
        releasedOn: first?.releasedOn ?? null,
        districts: releases.map((r) => ({
          districtId: r.districtId, releaseId: r.id, releasedOn: r.releasedOn,
          ...(r.payload.tables[table] as Record<string, unknown>),
        })),
      }
    },

    /** 心理健康教师基本情况: counts and the staffing rule per school, from the same release. */
    async staffing(ctx: RequestContext, releaseId?: string): Promise<StaffingAnswer> {
      const { releases, schoolIds } = await releasesFor(ctx, releaseId)
      await readAudit(ctx, schoolIds, releases, 'table:staffing')
      return staffingOf(releases)
    },

    async exportXlsx(ctx: RequestContext, releaseId?: string): Promise<Buffer> {
      const { releases, schoolIds } = await releasesFor(ctx, releaseId)
      const file = await districtWorkbook(releases.map(asTables), staffingOf(releases), releases.map((r) => r.releasedOn), tz)
      await readAudit(ctx, schoolIds, releases, 'table:all', 'E')
      return file
    },

    /** The release history of the caller's districts, newest first, and when the next on-demand one may be made. */
    async releases(ctx: RequestContext): Promise<ReleasesAnswer> {
      const { districtIds, schoolIds } = await reach(ctx)
      const rows = await listReleases(db, districtIds)
      await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
        action: 'R', recordIds: schoolIds, studentIds: [], fieldGroups: [...ctx.decision.readGroups(), 'releases'],
      }))
      const today = dayIn(tz)
      return {
        items: rows.map((r) => ({ id: r.id, districtId: r.districtId, releasedOn: r.releasedOn, createdAt: r.createdAt, trigger: r.trigger })),
        onDemand: districtIds.map((d) => {
          const last = rows.find((r) => r.districtId === d)
          const from = last ? nextOnDemandDay(last) : null
          return { districtId: d, allowedFrom: from && from > today ? from : null }
        }),
      }
    },

    /**
     * An on-demand release of every district of the caller, refused (429 release_too_soon)
     * while any of them had a release in the last ON_DEMAND_MIN_DAYS days: more releases would
     * mean more pairs of releases to subtract. One transaction per call, with its audit rows.
     */
    async release(ctx: RequestContext): Promise<ReleaseRow[]> {
      const { districtIds } = await reach(ctx)
      if (districtIds.length === 0) throw new NotFound()
      const today = dayIn(tz)
      return db.transaction(async (tx) => {
        for (const d of districtIds) await lockDistrict(tx, d)
        for (const d of districtIds) {
          const last = await latestRelease(tx, d)
          if (last && today < nextOnDemandDay(last)) throw new AppError(429, 'release_too_soon', { date: nextOnDemandDay(last) }, { allowedFrom: nextOnDemandDay(last) })
        }
        const made: ReleaseRow[] = []
        for (const d of districtIds) {
          // On its own connection, as a first release (firstRelease): a request never waits for a second one.
          const r = await createRelease(tx, { districtId: d, today, trigger: 'on_demand', requestedBy: ctx.actor.userId })
          await audit(tx, ctx, { action: 'C', recordIds: [r.id], studentIds: [], fieldGroups: ['release:on_demand'] })
          made.push(r)
        }
        return made
      })
    },
  }
}
