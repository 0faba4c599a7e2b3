import { and, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import { letterBoxes } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import { newBoxKey, newSlug } from './letter-codes.js'
import { groupsOf, inActorTx, mustRead, sentKeys, type Row } from './practice-access.js'
import { qrSvg } from './qr.js'
import type { BoxPatch } from './schemas.js'

export const letterboxPath = (slug: string) => `/letterbox/${encodeURIComponent(slug)}`

/**
 * The school's letter box for psychology teachers and school admins: made on first use
 * (closed, so letters do not pile up before anyone reads them), opened and closed with a
 * message, its link rotated when it has been abused, printed as a QR poster.
 */
export function createLetterboxAdminService(app: FastifyInstance) {
  /** The school's box through the caller's policy, made first when the school has none. */
  async function ensureBox(tx: Tx, ctx: RequestContext): Promise<Row> {
    const found = await readMany(tx, ctx.decision, { limit: 1, offset: 0 })
    if (found.items[0]) return found.items[0]
    const made = await tx.insert(letterBoxes).values({ schoolId: ctx.actor.schoolId!, slug: newSlug(), codeKey: newBoxKey(), open: false })
      .onConflictDoNothing({ target: letterBoxes.schoolId }).returning({ id: letterBoxes.id })
    const again = await readMany(tx, ctx.decision, { limit: 1, offset: 0 })
    if (made[0]) await audit(tx, ctx, { action: 'C', recordIds: [made[0].id], fieldGroups: ['link', 'settings'] })
    return again.items[0]!
  }

  const withPath = (row: Row) => (typeof row.slug === 'string' ? { ...row, path: letterboxPath(row.slug) } : row)

  return {
    async get(ctx: RequestContext) {
      return inActorTx(app, ctx, async (tx) => withPath(await ensureBox(tx, ctx)))
    },

    async update(ctx: RequestContext, body: z.infer<typeof BoxPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const id = String(box.id)
        const set: Partial<typeof letterBoxes.$inferInsert> = { updatedAt: new Date() }
        if (body.open !== undefined) set.open = body.open
        if (body.closedMessage !== undefined) set.closedMessage = body.closedMessage || null
        await tx.update(letterBoxes).set(set).where(and(eq(letterBoxes.schoolId, ctx.actor.schoolId!), eq(letterBoxes.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return withPath(row)
      })
    },

    /** A new public link; the old one stops working at once. Reply codes keep working. */
    async rotate(ctx: RequestContext) {
      return inActorTx(app, ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const id = String(box.id)
        await tx.update(letterBoxes).set({ slug: newSlug(), updatedAt: new Date() })
          .where(and(eq(letterBoxes.schoolId, ctx.actor.schoolId!), eq(letterBoxes.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: ['link'] })
        return withPath(row)
      })
    },

    /**
     * Print-ready SVG: title, QR code of the public link, the link spelled out. The school's
     * name is left to the poster around it (school names are the district tables' field).
     */
    async qr(ctx: RequestContext, origin: string) {
      return inActorTx(app, ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const url = `${origin.replace(/\/+$/, '')}${letterboxPath(String(box.slug ?? ''))}`
        return qrSvg(url, { title: '解忧树洞 · 心理信箱', caption: '扫码给心理老师写信 · 不记录你的身份' })
      })
    },
  }
}

export type LetterboxAdminService = ReturnType<typeof createLetterboxAdminService>
