import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { instruments } from '../../../db/schema/index.js'
import type { Decision } from '../../access/engine.js'
import type { Gateway } from '../../access/gateway.js'
import type { Executor } from '../../db/database.js'
import { AppError, Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { BUILT_IN_INSTRUMENTS } from './instruments/index.js'
import { definitionProblems, sameStructure, type InstrumentDefinition } from './instrument-schema.js'
import { screeningTemplate } from './import-template.js'
import type { InstrumentCreate, InstrumentListQuery } from './schemas.js'

/**
 * Instruments through the policy, reference rows included. The engine keeps every read inside
 * the actor's school; built-in instruments carry no school (they are the same questionnaire
 * everywhere), so a role whose grant is school-wide reads them as if they were its school's —
 * still through the engine's selection and projection, field groups and all. Roles without a
 * school-wide grant see no reference row.
 */
export async function readInstruments(ex: Executor, d: Decision, opts: { id?: string; limit: number; offset: number }): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const schoolWide = d.grants.map((g, i) => (g.scope === 'school' ? i : -1)).filter((i) => i >= 0)
  const reach: SQL = schoolWide.length ? or(d.where(), isNull(instruments.schoolId))! : d.where()
  const rows = await ex.select({ ...d.selection(), __total: sql<number>`count(*) over()`.as('__total') })
    .from(instruments)
    .where(and(opts.id ? eq(instruments.id, opts.id) : undefined, reach))
    .orderBy(sql`${instruments.schoolId} is not null`, asc(instruments.code), asc(instruments.version), asc(instruments.id))
    .limit(opts.limit).offset(opts.offset) as Record<string, unknown>[]
  const items = rows.map((r) => {
    if (r.schoolId !== null) return d.project(r)
    const flagged: Record<string, unknown> = { ...r }
    for (const i of schoolWide) flagged[`__g${i}`] = true
    return d.project(flagged)
  })
  return { items, total: rows.length ? Number(rows[0]!.__total) : 0 }
}

export function createInstrumentService(gw: Gateway) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof InstrumentListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const r = await readInstruments(tx, ctx.decision, { limit: q.limit, offset: q.offset })
        const items = q.includeDefinition === 'true' ? r.items : r.items.map(({ definition: _d, ...rest }) => rest)
        return { items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const { items } = await readInstruments(tx, ctx.decision, { id, limit: 1, offset: 0 })
        if (!items[0]) throw new NotFound()
        return items[0]
      })
    },

    /** 导入模板 of one instrument the caller may read (its definition included), as xlsx. */
    async template(ctx: RequestContext, id: string): Promise<{ file: Buffer; code: string }> {
      const inst = await gw.tx(ctx, async (tx) => (await readInstruments(tx, gw.decision(ctx, 'instruments'), { id, limit: 1, offset: 0 })).items[0])
      const definition = inst?.definition as InstrumentDefinition | undefined
      if (!inst || !definition) throw new NotFound()
      const code = String(inst.code)
      return { file: await screeningTemplate({ id, code, definition }, gw.today()), code }
    },

    /**
     * A school's own instrument, validated on upload (schema and semantics). Codes of the
     * built-in instruments are reserved so an import column never means two things — except
     * for the school's own wording of a built-in one (a reviewed translation of the ASQ): the
     * same items, options, bands and safety rules under the same code, as a new version of its
     * own. The built-in row is never edited; campaigns choose which version they use.
     */
    async create(ctx: RequestContext, body: z.infer<typeof InstrumentCreate>) {
      const def = body.definition
      const problems = definitionProblems(def)
      if (problems.length) throw new AppError(400, 'instrument_invalid', { count: problems.length }, { problems })
      const builtIn = BUILT_IN_INSTRUMENTS.find((i) => i.definition.code.toLowerCase() === def.code.toLowerCase())
      if (builtIn && !sameStructure(builtIn.definition, def)) throw new Conflict('instrument_rewording_only', { code: builtIn.definition.code })
      return gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, {
        input: { code: def.code, version: def.version, nameZh: def.name['zh-CN'], nameEn: def.name.en, licence: def.licence, definition: def },
        values: { schoolId: ctx.actor.schoolId!, builtIn: false },
      }))
    },
  }
}

export type InstrumentService = ReturnType<typeof createInstrumentService>
