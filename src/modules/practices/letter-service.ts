import { and, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { letters } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { appendDayAudit } from '../../audit/audit.js'
import { Conflict } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { ackDeadlineFor } from '../support/alert-rules.js'
import type { LetterDanger, LetterListQuery, LetterPatch, LetterReply, LetterToAlert, LetterToCase } from './schemas.js'

/** What an alert from a letter says when the teacher adds nothing: never the letter's own words. */
const LETTER_ALERT_TEXT = '心理信箱来信提及该生，需要关注'

/**
 * 解忧树洞 for psychology teachers: read, classify, reply, and turn a letter that names a
 * student into an alert, a case or a crisis. The new record carries the student; the letter
 * stays anonymous — no link is written from the record back to the letter, the audit row of
 * the new record names no letter, and the request's log line shows the route without the
 * letter's id (src/logger.ts), so the request id the new record's row carries leads to no
 * letter either.
 */
export function createLetterService(gw: Gateway) {
  const crisisAckMinutes = gw.config.CRISIS_ACK_MINUTES

  return {
    async list(ctx: RequestContext, q: z.infer<typeof LetterListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const fields: string[] = []
        if (q.category === 'none') { conds.push(isNull(letters.category)); fields.push('category') }
        else if (q.category) { conds.push(eq(letters.category, q.category)); fields.push('category') }
        if (q.urgent !== undefined) { conds.push(eq(letters.urgent, q.urgent)); fields.push('urgent') }
        if (q.danger !== undefined) { conds.push(eq(letters.danger, q.danger)); fields.push('danger') }
        if (q.replied !== undefined) { conds.push(q.replied ? isNotNull(letters.repliedOn) : isNull(letters.repliedOn)); fields.push('repliedOn') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'danger', dir: 'desc' }, { field: 'urgent', dir: 'desc' }, { field: 'writtenOn', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        if (r.items.length) await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [] })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row], studentIds: [] })
        return row
      })
    },

    async classify(ctx: RequestContext, id: string, body: z.infer<typeof LetterPatch>) {
      return gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, { input: body }))
    },

    /** The reply the writer reads with their code; dated by the day only, like the letter. */
    async reply(ctx: RequestContext, id: string, body: z.infer<typeof LetterReply>) {
      return gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, {
        input: body, values: { repliedOn: gw.todaySql(), repliedBy: ctx.actor.userId }, audit: { fieldGroups: ['reply', 'replyMeta'] },
      }))
    },

    /** 同伴跟防 alert about the student the letter names (the teacher picks the student). */
    async toAlert(ctx: RequestContext, id: string, body: z.infer<typeof LetterToAlert>) {
      return gw.tx(ctx, async (tx) => {
        const letter = await gw.read(tx, ctx.decision, id)
        const student = await gw.read(tx, gw.decision(ctx, 'students'), body.studentId)
        const urgency = letter.urgent === true ? 'high' : 'medium'
        // Raised for the psychology teachers, who do not submit alerts themselves: the system's record of their act.
        const [alert] = await gw.record(tx, ctx, 'peer_alerts', {
          schoolId: ctx.actor.schoolId!,
          studentId: body.studentId,
          classId: String(student.classId),
          submittedBy: ctx.actor.userId,
          source: 'letter',
          whatSeen: body.whatSeen ?? LETTER_ALERT_TEXT,
          urgency,
          // The 同伴跟防 deadlines (src/modules/support/alert-rules.ts): one rule for every alert.
          ackDeadline: ackDeadlineFor(urgency),
        }, { fieldGroups: ['subject', 'observation', 'urgency'] })
        return { letterId: id, alertId: String(alert!.id) }
      })
    },

    /** 积极干预: a case opened from a letter (source 'letter'), with its opening event. */
    async toCase(ctx: RequestContext, id: string, body: z.infer<typeof LetterToCase>) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, ctx.decision, id)
        await gw.read(tx, gw.decision(ctx, 'students'), body.studentId)
        // A case opened here is like one opened in the cases module: the case and its opening event.
        const kase = await gw.create(tx, ctx, gw.decision(ctx, 'cases', 'create'), {
          input: { riskLevel: body.riskLevel, summary: body.summary },
          values: { schoolId: ctx.actor.schoolId!, studentId: body.studentId, openedBy: ctx.actor.userId, source: 'letter', state: 'open' },
          audit: { fieldGroups: [] },
        })
        const caseId = String(kase.id)
        await gw.create(tx, ctx, gw.decision(ctx, 'case_events', 'create'), {
          input: { fromState: null, toState: 'open', riskFrom: null, riskTo: body.riskLevel, reason: null },
          values: { schoolId: ctx.actor.schoolId!, caseId, studentId: body.studentId, actorId: ctx.actor.userId },
          audit: { fieldGroups: ['change'] },
        })
        return { letterId: id, caseId }
      })
    },

    /**
     * A letter that signals danger: flagged (and urgent), and when the teacher knows whom it
     * is about, a crisis event on the same path as the screening safety rule — acknowledged
     * within the crisis deadline or escalated by the job. Without a student there is nobody
     * to open a crisis for; the flag keeps the letter at the top of the inbox.
     */
    async flagDanger(ctx: RequestContext, id: string, body: z.infer<typeof LetterDanger> | null | undefined) {
      return gw.tx(ctx, async (tx) => {
        // Scope first: out of scope answers 404, not 'already flagged'.
        await gw.read(tx, ctx.decision, id)
        const studentId = body?.studentId
        if (studentId) await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        // Flagged once: the conditional update lets one of two teachers (or two clicks) through,
        // so a letter opens at most one crisis event; the second learns it was already flagged.
        // With a crisis, the letter's row is the day-only one below.
        const [row] = await gw.updateWhere(tx, ctx, ctx.decision, and(eq(letters.id, id), eq(letters.danger, false))!, {
          values: { danger: true, urgent: true }, audit: studentId ? false : { fieldGroups: ['alarm', 'triage'] },
        })
        if (!row) throw new Conflict('letter_danger_flagged')
        if (!studentId) return { letter: row, crisisId: null }
        const crisis = await gw.create(tx, ctx, gw.decision(ctx, 'crisis_events', 'create'), {
          values: {
            schoolId: ctx.actor.schoolId!, studentId, source: 'letter', status: 'open', openedBy: ctx.actor.userId,
            // The acknowledgement deadline is counted on the database clock.
            ackDeadline: sql`now() + make_interval(mins => ${crisisAckMinutes}::int)`,
          },
          audit: { fieldGroups: [] },
        })
        // Two rows side by side in the chain (the audit lock is held to commit), so neither
        // may name what would link them: the crisis row names the student and no letter;
        // the letter's row says who flagged a letter that day, without its id, the time or
        // the request id.
        await appendDayAudit(tx, {
          actorId: ctx.actor.userId, roles: ctx.decision.roles, action: 'U', resource: 'letters', recordIds: [], studentIds: [],
          fieldGroups: ['alarm', 'triage'], outcome: 'ok', schoolId: ctx.actor.schoolId,
        })
        return { letter: row, crisisId: String(crisis.id) }
      })
    },
  }
}

export type LetterService = ReturnType<typeof createLetterService>
