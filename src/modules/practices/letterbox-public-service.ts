import { and, eq } from 'drizzle-orm'
import type { z } from 'zod'
import { letterBoxes, letters, schools } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { withSchoolTx } from '../../access/transaction.js'
import { appendDayAudit } from '../../audit/audit.js'
import { fromDatabaseError } from '../../db/errors.js'
import { AppError, NotFound } from '../../lib/errors.js'
import { hashCode, newReplyCode, normalizeCode, SLUG_PATTERN } from './letter-codes.js'
import type { LetterWrite } from './schemas.js'

interface Box { id: string; schoolId: string; open: boolean; closedMessage: string | null; codeKey: string; schoolName: string }

/**
 * Words that make a letter urgent at once, before anyone has read it: a triage aid that puts
 * it at the top of the psychology teacher's inbox, not a judgement. Only a teacher sets the
 * danger flag (the crisis path).
 */
const URGENT_WORDS = ['自杀', '想死', '不想活', '活不下去', '轻生', '跳楼', '割腕', '自残', '结束生命', '结束自己']

export function soundsUrgent(text: string): boolean {
  return URGENT_WORDS.some((w) => text.includes(w))
}

/**
 * The audit trail of the anonymous side: who is "nobody", no record id ties a row to a letter,
 * and the row is dated by the day with no request id (appendDayAudit), so neither its time
 * nor a log line or proxy access log of the same request can be matched to it.
 */
const ANONYMOUS = 'anonymous'

/**
 * 解忧树洞 for visitors without an account. The visitor knows only the box's public slug, so
 * the school is found by that one unique key (as the owner: before the lookup there is no
 * school to set for row-level security); everything after runs as the app role inside that
 * school's wall.
 */
export function createLetterboxPublicService(gw: Gateway) {
  const { db } = gw.database

  async function boxBySlug(slug: string): Promise<Box | undefined> {
    if (!SLUG_PATTERN.test(slug)) return undefined
    const rows = await db.select({
      id: letterBoxes.id, schoolId: letterBoxes.schoolId, open: letterBoxes.open, closedMessage: letterBoxes.closedMessage,
      codeKey: letterBoxes.codeKey, schoolName: schools.name,
    }).from(letterBoxes).innerJoin(schools, eq(schools.id, letterBoxes.schoolId)).where(eq(letterBoxes.slug, slug)).limit(1)
    return rows[0]
  }

  return {
    /** Key for the per-school rate limit: the slug as given (an unknown slug shares its own bucket). */
    boxBySlug,

    async info(slug: string) {
      const box = await boxBySlug(slug)
      if (!box) throw new NotFound()
      return { schoolName: box.schoolName, open: box.open, closedMessage: box.open ? null : box.closedMessage }
    },

    /**
     * Stores the letter with its calendar day only, and the HMAC of a fresh reply code; the
     * code itself is returned once and kept nowhere. The audit row says that an anonymous
     * letter was written to this school on this day, without its id or a time.
     */
    async write(slug: string, body: z.infer<typeof LetterWrite>) {
      const box = await boxBySlug(slug)
      if (!box) throw new NotFound()
      if (!box.open) throw new AppError(423, 'letterbox_closed')
      const replyCode = newReplyCode()
      const hash = hashCode(box.codeKey, normalizeCode(replyCode)!)
      try {
        await withSchoolTx(db, box.schoolId, async (tx) => {
          // The visitor has no account, so no context: the day-only row below is the letter's audit.
          await gw.record(tx, null, 'letters', {
            schoolId: box.schoolId,
            boxId: box.id,
            writtenOn: gw.todaySql(),
            body: body.body,
            writerName: body.writerName || null,
            writerClass: body.writerClass || null,
            urgent: soundsUrgent(body.body),
            replyCodeHash: hash,
          }, false)
          await appendDayAudit(tx, {
            actorId: null, roles: ANONYMOUS, action: 'C', resource: 'letters', recordIds: [], studentIds: [],
            fieldGroups: ['letter'], outcome: 'ok', schoolId: box.schoolId,
          })
        })
      } catch (err) {
        throw fromDatabaseError(err)
      }
      return { replyCode }
    },

    /**
     * The reply to the letter whose code this is. A wrong code, a malformed one and an unknown
     * box answer the same 404; each attempt on a known box is audited (without a record id)
     * so guessing shows up in the log.
     */
    async reply(slug: string, code: string) {
      const box = await boxBySlug(slug)
      if (!box) throw new NotFound()
      const normalized = normalizeCode(code)
      const found = await withSchoolTx(db, box.schoolId, async (tx) => {
        const rows = normalized
          ? await tx.select({ replyText: letters.replyText, repliedOn: letters.repliedOn }).from(letters)
            .where(and(eq(letters.schoolId, box.schoolId), eq(letters.replyCodeHash, hashCode(box.codeKey, normalized)))).limit(1)
          : []
        await appendDayAudit(tx, {
          actorId: null, roles: ANONYMOUS, action: 'R', resource: 'letters', recordIds: [], studentIds: [],
          fieldGroups: rows[0] ? ['reply'] : [], outcome: rows[0] ? 'ok' : 'not_found', schoolId: box.schoolId,
        })
        return rows[0]
      })
      if (!found) throw new NotFound()
      return found.replyText
        ? { status: 'replied' as const, reply: found.replyText, ...(found.repliedOn ? { repliedOn: found.repliedOn } : {}) }
        : { status: 'waiting' as const }
    },
  }
}

export type LetterboxPublicService = ReturnType<typeof createLetterboxPublicService>
