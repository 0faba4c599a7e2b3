import { textOf } from '../../lib/school-day.js'
import type { z } from 'zod'
import { letterBoxes } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import { newBoxKey, newSlug } from './letter-codes.js'
import { qrSvg } from './qr.js'
import type { BoxPatch } from './schemas.js'

export const letterboxPath = (slug: string) => `/letterbox/${encodeURIComponent(slug)}`

/**
 * The school's letter box for psychology teachers and school admins: made on first use
 * (closed, so letters do not pile up before anyone reads them), opened and closed with a
 * message, its link rotated when it has been abused, printed as a QR poster.
 */
export function createLetterboxAdminService(gw: Gateway) {
  /** The school's box through the caller's policy, made first when the school has none. */
  async function ensureBox(tx: Tx, ctx: RequestContext): Promise<Row> {
    const found = await gw.list(tx, ctx.decision, { limit: 1, offset: 0 })
    if (found.items[0]) return found.items[0]
    // Two first visits at once: one makes the box, the other finds it made.
    const made = await gw.upsert(tx, ctx, ctx.decision, letterBoxes.schoolId, {
      values: { schoolId: ctx.actor.schoolId!, slug: newSlug(), codeKey: newBoxKey(), open: false },
      onConflict: 'nothing',
      audit: { fieldGroups: ['link', 'settings'] },
    })
    return made ?? (await gw.list(tx, ctx.decision, { limit: 1, offset: 0 })).items[0]!
  }

  const withPath = (row: Row) => (typeof row.slug === 'string' ? { ...row, path: letterboxPath(row.slug) } : row)

  return {
    async get(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => withPath(await ensureBox(tx, ctx)))
    },

    async update(ctx: RequestContext, body: z.infer<typeof BoxPatch>) {
      return gw.tx(ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const row = await gw.update(tx, ctx, ctx.decision, String(box.id), {
          input: { open: body.open, closedMessage: body.closedMessage === undefined ? undefined : body.closedMessage || null },
          values: { updatedAt: new Date() },
        })
        return withPath(row)
      })
    },

    /** A new public link; the old one stops working at once. Reply codes keep working. */
    async rotate(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const row = await gw.update(tx, ctx, ctx.decision, String(box.id), {
          values: { slug: newSlug(), updatedAt: new Date() }, audit: { fieldGroups: ['link'] },
        })
        return withPath(row)
      })
    },

    /**
     * Print-ready SVG: title, QR code of the public link, the link spelled out. The school's
     * name is left to the poster around it (school names are the district tables' field).
     */
    async qr(ctx: RequestContext, origin: string) {
      return gw.tx(ctx, async (tx) => {
        const box = await ensureBox(tx, ctx)
        const url = `${origin.replace(/\/+$/, '')}${letterboxPath(textOf(box.slug))}`
        return qrSvg(url, { title: '解忧树洞 · 心理信箱', caption: '扫码给心理老师写信 · 不记录你的身份' })
      })
    },
  }
}

export type LetterboxAdminService = ReturnType<typeof createLetterboxAdminService>
