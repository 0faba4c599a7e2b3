import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { withActorTx } from '../../access/transaction.js'
import { audit, readMany } from '../../access/query.js'
import type { RequestContext } from '../../plugins/access.js'
import { loadAggregates } from './repository.js'
import { dayIn, schoolYearWindow } from './school-year.js'
import { DEFAULT_THRESHOLD } from './suppression.js'
import { buildDistrictTables, type DistrictTables, type SchoolInfo, type TableName } from './tables.js'
import { districtWorkbook, type StaffingAnswer } from './export.js'
import { FULL_TIME_NEEDED, LARGE_SCHOOL_ENROLMENT, staffingBySchool } from '../practices/staffing.js'

const sqlSnapshot = sql`set transaction isolation level repeatable read, read only`

/** A province-sized district is far below this; the cap keeps one request bounded. */
const MAX_SCHOOLS = 5000

export interface TablesAnswer {
  table: TableName
  schoolYear: string
  previousSchoolYear: string
  generatedAt: string
  threshold: number
  districts: Array<{ districtId: string } & Record<string, unknown>>
}

export function createDistrictService(app: FastifyInstance) {
  const { db } = app.database
  const ttlMs = app.config.DISTRICT_CACHE_SECONDS * 1000
  const tz = app.config.TZ_SCHOOL
  // One joint result per district (and school set), shared by every table and the export.
  const cache = new Map<string, { expires: number; value: Promise<DistrictTables> }>()

  function compute(districtId: string, schools: SchoolInfo[]): Promise<DistrictTables> {
    const y = schoolYearWindow(dayIn(tz))
    const key = `${districtId}:${y.today}:${schools.map((s) => s.schoolId).sort().join(',')}`
    const now = Date.now()
    const hit = cache.get(key)
    if (hit && hit.expires > now) return hit.value
    for (const [k, v] of cache) if (v.expires <= now) cache.delete(k)
    // The app role sees one school at a time (row-level security), so the counts are taken
    // as the owner, in one read-only snapshot so the tables agree with each other.
    const value = db.transaction(async (tx) => {
      await tx.execute(sqlSnapshot)
      return loadAggregates(tx, schools.map((s) => s.schoolId), y)
    }).then((agg) => buildDistrictTables(districtId, schools, agg, y))
    if (ttlMs > 0) {
      cache.set(key, { expires: now + ttlMs, value })
      value.catch(() => cache.delete(key))
    }
    return value
  }

  /** The caller's schools through the district decision, grouped by district (sorted). */
  async function schoolsOf(ctx: RequestContext): Promise<{ byDistrict: Array<[string, SchoolInfo[]]>; schoolIds: string[] }> {
    const { items } = await withActorTx(db, ctx.actor, (tx) => readMany(tx, ctx.decision, {
      sort: [{ field: 'code', dir: 'asc' }], limit: MAX_SCHOOLS, offset: 0,
    }))
    const byDistrict = new Map<string, SchoolInfo[]>()
    for (const s of items) {
      const d = String(s.districtId)
      const list = byDistrict.get(d) ?? []
      list.push({ schoolId: String(s.id), code: String(s.code), name: String(s.name), stage: String(s.stage) })
      byDistrict.set(d, list)
    }
    return { byDistrict: [...byDistrict].sort(([a], [b]) => a.localeCompare(b)), schoolIds: items.map((s) => String(s.id)) }
  }

  /** The caller's schools, then the joint tables of each district. */
  async function tablesFor(ctx: RequestContext): Promise<{ results: DistrictTables[]; schoolIds: string[] }> {
    const { byDistrict, schoolIds } = await schoolsOf(ctx)
    const results = await Promise.all(byDistrict.map(([d, list]) => compute(d, list)))
    return { results, schoolIds }
  }

  /** Staffing per school of the caller's schools; counted as the owner like the tables (across schools). */
  async function staffingFor(ctx: RequestContext): Promise<{ answer: StaffingAnswer; schoolIds: string[] }> {
    const { byDistrict, schoolIds } = await schoolsOf(ctx)
    const year = Number(dayIn(tz).slice(0, 4))
    const districts = await Promise.all(byDistrict.map(async ([districtId, list]) => {
      const mine = new Map(list.map((s) => [s.schoolId, s]))
      const rows = (await staffingBySchool(db, districtId, { year })).filter((r) => mine.has(r.schoolId))
      const schools = rows.map((r) => {
        const s = mine.get(r.schoolId)!
        return {
          schoolId: r.schoolId, code: s.code, name: s.name, stage: s.stage,
          fullTime: r.fullTime, partTime: r.partTime, certified: r.certified, trainingHours: r.trainingHours,
          largeSchool: r.largeSchool, ruleHolds: r.ruleHolds,
        }
      })
      const sum = (k: 'fullTime' | 'partTime' | 'certified' | 'trainingHours') => schools.reduce((n, r) => n + r[k], 0)
      return {
        districtId,
        schools,
        total: {
          schools: schools.length, ruleHolds: schools.filter((r) => r.ruleHolds).length,
          fullTime: sum('fullTime'), partTime: sum('partTime'), certified: sum('certified'), trainingHours: sum('trainingHours'),
        },
      }
    }))
    return {
      answer: {
        table: 'staffing', year, generatedAt: new Date().toISOString(),
        largeSchoolEnrolment: LARGE_SCHOOL_ENROLMENT, fullTimeNeeded: FULL_TIME_NEEDED, districts,
      },
      schoolIds,
    }
  }

  const empty = () => {
    const y = schoolYearWindow(dayIn(tz))
    return { schoolYear: y.current, previousSchoolYear: y.previous, generatedAt: new Date().toISOString() }
  }

  return {
    async table(ctx: RequestContext, table: TableName): Promise<TablesAnswer> {
      const { results, schoolIds } = await tablesFor(ctx)
      // Audited before the data leaves: which schools' aggregates, never a student.
      await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
        action: 'R', recordIds: schoolIds, studentIds: [], fieldGroups: [...ctx.decision.readGroups(), `table:${table}`],
      }))
      const first = results[0]
      return {
        table,
        ...(first ? { schoolYear: first.schoolYear, previousSchoolYear: first.previousSchoolYear, generatedAt: first.generatedAt } : empty()),
        threshold: DEFAULT_THRESHOLD,
        districts: results.map((r) => ({ districtId: r.districtId, ...(r.tables[table] as Record<string, unknown>) })),
      }
    },

    /** 心理健康教师基本情况 (issue 10): counts and the staffing rule per school. */
    async staffing(ctx: RequestContext): Promise<StaffingAnswer> {
      const { answer, schoolIds } = await staffingFor(ctx)
      await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
        action: 'R', recordIds: schoolIds, studentIds: [], fieldGroups: [...ctx.decision.readGroups(), 'table:staffing'],
      }))
      return answer
    },

    async exportXlsx(ctx: RequestContext): Promise<Buffer> {
      const [{ results, schoolIds }, { answer }] = await Promise.all([tablesFor(ctx), staffingFor(ctx)])
      const file = await districtWorkbook(results, answer)
      await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
        action: 'E', recordIds: schoolIds, studentIds: [], fieldGroups: [...ctx.decision.readGroups(), 'table:all'],
      }))
      return file
    },
  }
}
