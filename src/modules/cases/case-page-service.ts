import { textOf } from '../../lib/school-day.js'
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import {
  caseEvents, counsellingSessions, crisisEvents, institutions, interventionPlans, pairings, parentContacts, referrals, users,
} from '../../../db/schema/index.js'
import type { Action } from '../../access/define.js'
import type { Decision } from '../../access/engine.js'
import type { Gateway, Row } from '../../access/gateway.js'
import { idsOf, studentIdsOf, type Sort } from '../../access/query.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import { withActive } from '../support/pairing-service.js'
import { withReferralDerived } from '../support/referral-rules.js'
import { mentorOwnRows } from '../support/scope.js'
import { presentCase, presentCrisis, presentEvent, presentSession } from './present.js'
import { requireStepUp } from '../auth/step-up.js'

/** Rows per list part: the case page shows at most this many of each (its total says how many there are). */
export const PAGE_PART_LIMIT = 100
/** Sessions and events: as many as their own routes give. */
const HISTORY_LIMIT = 500

/** Columns naming a staff account, whose label the page shows instead of the id. */
const USER_KEYS = ['openedBy', 'createdBy', 'counsellorId', 'actorId', 'mentorId', 'acknowledgedBy'] as const

interface Part { items: Row[]; total: number }

/**
 * 个案页 in one request and one transaction: the case, then each part exactly as its own route
 * reads it (same decision, same filter, order and projection), and the names of the people and
 * institutions those rows mention, read through the users and institutions policies. Written
 * as one audit event naming every record read; a part the caller may not read is left out.
 */
export function createCasePageService(gw: Gateway) {
  return {
    async page(ctx: RequestContext, caseId: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const read: Array<{ d: Decision; rows: Row[] }> = []
        const kase = await gw.read(tx, ctx.decision, caseId)
        // As GET /cases/:id: a closed case asks for a recent step-up.
        if (kase.state === 'closed') await requireStepUp(tx, ctx.actor)
        read.push({ d: ctx.decision, rows: [kase] })

        /** A part through the caller's decision, or undefined where its own route would refuse. */
        // Each part's statement is built once per decision (readManyPrepared): what changes from
        // page to page, the case and its student, are its placeholders.
        const values = { caseId, studentId: kase.studentId }
        const part = async (resource: string, action: Action, opts: { where: SQL | undefined; filterFields: string[]; sort: Sort[]; limit: number }): Promise<Part | undefined> => {
          const d = gw.policies.decide(ctx.actor, resource, action)
          if (!d) return undefined
          // The route answers 400 when a filter or sort names a field some grant hides: absent here.
          const queryable = d.readableEverywhere()
          if ([...opts.filterFields, ...opts.sort.map((s) => s.field)].some((f) => !queryable.has(f))) return undefined
          const r = await gw.listPrepared(tx, d, `case-page:${resource}`, { ...opts, offset: 0 }, values)
          read.push({ d, rows: r.items })
          return { items: r.items, total: r.total }
        }

        /** Labels of the given ids that the caller's policy on `resource` lets them read; others stay unnamed. */
        async function labels(resource: string, idColumn: Parameters<typeof inArray>[0], ids: Set<string>, label: (r: Row) => string) {
          const out: Record<string, string> = {}
          if (ids.size === 0) return out
          const d = gw.policies.decide(ctx.actor, resource, 'list')
          if (!d || !d.readableEverywhere().has('id')) return out
          const r = await gw.list(tx, d, { where: inArray(idColumn, [...ids]), filterFields: ['id'], limit: ids.size, offset: 0 })
          read.push({ d, rows: r.items })
          for (const row of r.items) {
            const text = label(row)
            if (typeof row.id === 'string' && text) out[row.id] = text
          }
          return out
        }

        const studentId = typeof kase.studentId === 'string' ? kase.studentId : undefined
        const ofStudent = async (resource: string, column: Parameters<typeof eq>[0], sort: Sort[], extra?: (d: Decision) => SQL | undefined) => {
          if (!studentId) return undefined
          const d = gw.policies.decide(ctx.actor, resource, 'list')
          return part(resource, 'list', {
            where: and(d && extra ? extra(d) : undefined, eq(column, sql.placeholder('studentId'))), filterFields: ['studentId'], sort, limit: PAGE_PART_LIMIT,
          })
        }

        const planPart = await part('intervention_plans', 'read', { where: eq(interventionPlans.caseId, sql.placeholder('caseId')), filterFields: ['caseId'], sort: [], limit: 1 })
        const sessions = await part('counselling_sessions', 'list', {
          where: eq(counsellingSessions.caseId, sql.placeholder('caseId')), filterFields: ['caseId'], sort: [{ field: 'sessionDate', dir: 'asc' }], limit: HISTORY_LIMIT,
        })
        const events = await part('case_events', 'list', {
          where: eq(caseEvents.caseId, sql.placeholder('caseId')), filterFields: ['caseId'], sort: [{ field: 'at', dir: 'asc' }], limit: HISTORY_LIMIT,
        })
        const crises = await ofStudent('crisis_events', crisisEvents.studentId, [{ field: 'openedAt', dir: 'desc' }])
        const pairingRows = await ofStudent('pairings', pairings.studentId, [{ field: 'startDate', dir: 'desc' }], (d) => mentorOwnRows(d, ctx.actor.userId))
        const contacts = await ofStudent('parent_contacts', parentContacts.studentId, [{ field: 'contactDate', dir: 'desc' }])
        const referralRows = await ofStudent('referrals', referrals.studentId, [{ field: 'followUpDate', dir: 'asc' }])

        const rows = read.flatMap((r) => r.rows)
        const userIds = new Set<string>()
        for (const r of rows) for (const k of USER_KEYS) if (typeof r[k] === 'string') userIds.add(r[k])
        const institutionIds = new Set((referralRows?.items ?? []).map((r) => r.institutionId).filter((v): v is string => typeof v === 'string'))
        const userNames = await labels('users', users.id, userIds, (u) => [u.displayName, u.username ? `(${textOf(u.username)})` : ''].filter(Boolean).join(' '))
        const institutionNames = await labels('institutions', institutions.id, institutionIds, (i) => [i.name, i.department].filter(Boolean).join(' · '))

        // One event for the page: every record id it read, the student, and resource.group of what was shown.
        await gw.audit(tx, ctx, {
          action: 'R',
          recordIds: [...new Set(read.flatMap(({ d, rows }) => idsOf(d, rows)))],
          studentIds: [...new Set(read.flatMap(({ d, rows }) => studentIdsOf(d, rows)))],
          fieldGroups: [...new Set(read.filter((r) => r.rows.length > 0).flatMap(({ d }) => d.readGroups().map((g) => `${d.resource}.${g}`)))].sort(),
        })

        const today = gw.today()
        const now = new Date()
        const list = (p: Part | undefined, present: (r: Row) => Row) => p && { items: p.items.map(present), total: p.total }
        return {
          case: presentCase(kase),
          ...(planPart ? { plan: planPart.items[0] ?? null } : {}),
          ...(sessions ? { sessions: list(sessions, presentSession) } : {}),
          ...(events ? { events: list(events, presentEvent) } : {}),
          ...(crises ? { crisisEvents: list(crises, (r) => presentCrisis(r, now)) } : {}),
          ...(pairingRows ? { pairings: list(pairingRows, (r) => withActive(r, today)) } : {}),
          ...(contacts ? { parentContacts: list(contacts, (r) => r) } : {}),
          ...(referralRows ? { referrals: list(referralRows, (r) => withReferralDerived(r, locale, today)) } : {}),
          names: { users: userNames, institutions: institutionNames },
        }

      })
    },
  }
}

export type CasePageService = ReturnType<typeof createCasePageService>
