import { and, eq, isNotNull, isNull, type SQL } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import { letters, peerAlerts } from '../../../db/schema/index.js'
import { SCHOOL_TODAY } from '../../access/engine.js'
import { audit, readMany } from '../../access/query.js'
import { appendDayAudit } from '../../audit/audit.js'
import { Conflict } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as casesRepo from '../cases/repository.js'
import { ackDeadlineFor } from '../support/alert-rules.js'
import { decisionOn, groupsOf, inActorTx, mustRead, sentKeys } from './practice-access.js'
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
export function createLetterService(app: FastifyInstance) {
  const crisisAckMinutes = app.config.CRISIS_ACK_MINUTES

  return {
    async list(ctx: RequestContext, q: z.infer<typeof LetterListQuery>) {
      return inActorTx(app, ctx, async (tx) => {
        const conds: SQL[] = []
        const fields: string[] = []
        if (q.category === 'none') { conds.push(isNull(letters.category)); fields.push('category') }
        else if (q.category) { conds.push(eq(letters.category, q.category)); fields.push('category') }
        if (q.urgent !== undefined) { conds.push(eq(letters.urgent, q.urgent)); fields.push('urgent') }
        if (q.danger !== undefined) { conds.push(eq(letters.danger, q.danger)); fields.push('danger') }
        if (q.replied !== undefined) { conds.push(q.replied ? isNotNull(letters.repliedOn) : isNull(letters.repliedOn)); fields.push('repliedOn') }
        const r = await readMany(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'danger', dir: 'desc' }, { field: 'urgent', dir: 'desc' }, { field: 'writtenOn', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        if (r.items.length) await audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [] })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row], studentIds: [] })
        return row
      })
    },

    async classify(ctx: RequestContext, id: string, body: z.infer<typeof LetterPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        const set: Partial<typeof letters.$inferInsert> = {}
        if (body.category !== undefined) set.category = body.category
        if (body.urgent !== undefined) set.urgent = body.urgent
        await tx.update(letters).set(set).where(and(eq(letters.schoolId, ctx.actor.schoolId!), eq(letters.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], studentIds: [], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    /** The reply the writer reads with their code; dated by the day only, like the letter. */
    async reply(ctx: RequestContext, id: string, body: z.infer<typeof LetterReply>) {
      ctx.decision.assertWritable(sentKeys(body))
      return inActorTx(app, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        await tx.update(letters).set({ replyText: body.replyText, repliedOn: SCHOOL_TODAY, repliedBy: ctx.actor.userId })
          .where(and(eq(letters.schoolId, ctx.actor.schoolId!), eq(letters.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], studentIds: [], fieldGroups: ['reply', 'replyMeta'] })
        return row
      })
    },

    /** 同伴跟防 alert about the student the letter names (the teacher picks the student). */
    async toAlert(ctx: RequestContext, id: string, body: z.infer<typeof LetterToAlert>) {
      return inActorTx(app, ctx, async (tx) => {
        const letter = await mustRead(tx, ctx.decision, id)
        const student = await mustRead(tx, decisionOn(app, ctx, 'students'), body.studentId)
        const urgency = letter.urgent === true ? 'high' : 'medium'
        const [alert] = await tx.insert(peerAlerts).values({
          schoolId: ctx.actor.schoolId!,
          studentId: body.studentId,
          classId: String(student.classId),
          submittedBy: ctx.actor.userId,
          source: 'letter',
          whatSeen: body.whatSeen ?? LETTER_ALERT_TEXT,
          urgency,
          // The 同伴跟防 deadlines (src/modules/support/alert-rules.ts): one rule for every alert.
          ackDeadline: ackDeadlineFor(urgency),
        }).returning({ id: peerAlerts.id })
        await audit(tx, ctx, { action: 'C', resource: 'peer_alerts', recordIds: [alert!.id], studentIds: [body.studentId], fieldGroups: ['subject', 'observation', 'urgency'] })
        return { letterId: id, alertId: alert!.id }
      })
    },

    /** 积极干预: a case opened from a letter (source 'letter'), with its opening event. */
    async toCase(ctx: RequestContext, id: string, body: z.infer<typeof LetterToCase>) {
      return inActorTx(app, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        await mustRead(tx, decisionOn(app, ctx, 'students'), body.studentId)
        // The cases module's own inserts: a case opened here is like one opened there (case + opening event).
        const caseId = await casesRepo.insertCase(tx, {
          schoolId: ctx.actor.schoolId!, studentId: body.studentId, openedBy: ctx.actor.userId, source: 'letter',
          riskLevel: body.riskLevel, state: 'open', summary: body.summary ?? null,
        })
        const eventId = await casesRepo.insertCaseEvent(tx, {
          schoolId: ctx.actor.schoolId!, caseId, studentId: body.studentId, fromState: null, toState: 'open',
          riskFrom: null, riskTo: body.riskLevel, reason: null, actorId: ctx.actor.userId,
        })
        await audit(tx, ctx, { action: 'C', resource: 'cases', recordIds: [caseId], studentIds: [body.studentId], fieldGroups: [] })
        await audit(tx, ctx, { action: 'C', resource: 'case_events', recordIds: [eventId], studentIds: [body.studentId], fieldGroups: ['change'] })
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
      return inActorTx(app, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        const studentId = body?.studentId
        if (studentId) await mustRead(tx, decisionOn(app, ctx, 'students'), studentId)
        // Flagged once: the conditional update lets one of two teachers (or two clicks) through,
        // so a letter opens at most one crisis event; the second learns it was already flagged.
        const flagged = await tx.update(letters).set({ danger: true, urgent: true })
          .where(and(eq(letters.schoolId, ctx.actor.schoolId!), eq(letters.id, id), eq(letters.danger, false)))
          .returning({ id: letters.id })
        if (!flagged.length) throw new Conflict('letter_danger_flagged')
        let crisisId: string | null = null
        if (studentId) {
          crisisId = await casesRepo.insertCrisis(tx, {
            schoolId: ctx.actor.schoolId!, studentId, source: 'letter', openedBy: ctx.actor.userId, ackMinutes: crisisAckMinutes,
          })
        }
        const row = await mustRead(tx, ctx.decision, id)
        if (crisisId) {
          // Two rows side by side in the chain (the audit lock is held to commit), so neither
          // may name what would link them: the crisis row names the student and no letter;
          // the letter's row says who flagged a letter that day, without its id, the time or
          // the request id.
          await appendDayAudit(tx, {
            actorId: ctx.actor.userId, roles: ctx.decision.roles, action: 'U', resource: 'letters', recordIds: [], studentIds: [],
            fieldGroups: ['alarm', 'triage'], outcome: 'ok', schoolId: ctx.actor.schoolId,
          })
          await audit(tx, ctx, { action: 'C', resource: 'crisis_events', recordIds: [crisisId], studentIds: [studentId!], fieldGroups: [] })
        } else {
          await audit(tx, ctx, { action: 'U', rows: [row], studentIds: [], fieldGroups: ['alarm', 'triage'] })
        }
        return { letter: row, crisisId }
      })
    },
  }
}

export type LetterService = ReturnType<typeof createLetterService>
