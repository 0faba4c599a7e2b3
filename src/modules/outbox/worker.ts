import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../config.js'
import { queryRows, sql, type Database, type Tx } from '../../db/database.js'
import { safeError } from '../../jobs/runner.js'
import { channels as builtInChannels } from './channels/index.js'
import type { Channel, ChannelKind, ChannelSecrets, ChannelSettings, Destination, SendResult } from './channels/types.js'
import { renderMessage } from './message.js'
import { PER_MINUTE, WINDOW_MS } from './rate-limit.js'
import { channelAad, secretBoxFor } from './secret-box.js'

export interface OutboxDeps {
  database: Database
  config: Config
  log?: FastifyBaseLogger
  /** Tests may swap a channel; the server uses the built-in four. */
  channels?: Record<ChannelKind, Channel>
}

export interface DeliverOptions {
  /** The worker's clock: which rows are due, the rate window, backoff. Tests pass a fake one. */
  now?: Date
  /** Rows claimed per run. */
  limit?: number
  /** Jitter source in [0, 1); tests fix it. */
  random?: () => number
}

export interface DeliverResult { claimed: number; sent: number; retrying: number; dead: number; deferred: number }

interface DueRow {
  school_id: string; id: string; channel: ChannelKind; kind: string; ref_id: string | null
  deadline: Date | string | null; recipient_user_id: string | null; attempts: number
}

/** Failures no retry can mend: the row is given up at once. */
const PERMANENT = new Set(['channel_off', 'recipient_off', 'not_configured', 'no_address'])

/** How long a claimed row is hidden from other workers while it is being sent. */
export function leaseMs(config: Config): number {
  return Math.max(60_000, 3 * config.OUTBOX_SEND_TIMEOUT_MS)
}

/** Exponential backoff with jitter: base·2^(n−1) capped at the maximum, then a random half to all of it. */
export function backoffMs(config: Config, attempts: number, random: () => number): number {
  const full = Math.min(config.OUTBOX_RETRY_MAX_S * 1000, config.OUTBOX_RETRY_BASE_S * 1000 * 2 ** Math.max(0, attempts - 1))
  return Math.round(full / 2 + random() * (full / 2))
}

const iso = (d: Date) => d.toISOString()

/**
 * One run of the delivery worker, deterministic for a given clock:
 *  1. claim — one short transaction: the due rows, FOR UPDATE SKIP LOCKED (another worker's rows
 *     are passed over, not waited for); rows over their channel's per-minute limit get a later
 *     next_attempt_at and are not tried (they wait, they do not fail); the rest get attempts + 1
 *     and a lease (next_attempt_at = now + lease), then the transaction commits;
 *  2. send each outside any transaction (a slow webhook holds no lock — the embedded database
 *     runs one transaction at a time);
 *  3. record each attempt in its own transaction: sent, or retried after a backoff, or dead
 *     after OUTBOX_MAX_ATTEMPTS.
 * At least once: a process killed between 1 and 3 leaves the row claimed only until its lease
 * ends, when the next run takes it again. A message may then be sent twice; none is lost.
 */
export async function deliverDue(deps: OutboxDeps, opts: DeliverOptions = {}): Promise<DeliverResult> {
  const now = opts.now ?? new Date()
  const random = opts.random ?? Math.random
  const limit = opts.limit ?? 50
  const { db } = deps.database
  const result: DeliverResult = { claimed: 0, sent: 0, retrying: 0, dead: 0, deferred: 0 }

  const claimed = await db.transaction(async (tx) => {
    const due = await queryRows<DueRow>(tx, sql`
      select school_id, id, channel, kind, ref_id, deadline, recipient_user_id, attempts from outbox_messages
      where status in ('pending', 'failed') and next_attempt_at <= ${iso(now)}::timestamptz
      order by next_attempt_at, created_at
      limit ${limit}
      for update skip locked`)
    if (due.length === 0) return []
    const take: DueRow[] = []
    const wait: Array<{ row: DueRow; until: Date }> = []
    const groups = new Map<string, DueRow[]>()
    for (const r of due) groups.set(`${r.school_id}|${r.channel}`, [...(groups.get(`${r.school_id}|${r.channel}`) ?? []), r])
    for (const rows of groups.values()) {
      const { school_id: school, channel } = rows[0]!
      const used = await queryRows<{ n: number; oldest: Date | string | null }>(tx, sql`
        select count(*)::int as n, min(at) as oldest from outbox_attempts
        where school_id = ${school} and channel = ${channel}
          and at > ${iso(new Date(now.getTime() - WINDOW_MS))}::timestamptz and at <= ${iso(now)}::timestamptz`)
      const free = Math.max(0, PER_MINUTE[channel] - used[0]!.n)
      take.push(...rows.slice(0, free))
      // The window frees its first slot a minute after its oldest attempt.
      const oldest = used[0]!.oldest ? new Date(used[0]!.oldest) : now
      const until = new Date(Math.max(now.getTime() + 1000, oldest.getTime() + WINDOW_MS))
      for (const row of rows.slice(free)) wait.push({ row, until })
    }
    for (const w of wait) {
      await tx.execute(sql`update outbox_messages set next_attempt_at = ${iso(w.until)}::timestamptz where school_id = ${w.row.school_id} and id = ${w.row.id}`)
    }
    if (take.length) {
      const lease = new Date(now.getTime() + leaseMs(deps.config))
      await tx.execute(sql`
        update outbox_messages set attempts = attempts + 1, next_attempt_at = ${iso(lease)}::timestamptz
        where (school_id, id) in (${sql.join(take.map((r) => sql`(${r.school_id}::uuid, ${r.id}::uuid)`), sql`, `)})`)
    }
    result.deferred = wait.length
    return take.map((r) => ({ ...r, attempts: r.attempts + 1 }))
  })
  result.claimed = claimed.length
  if (claimed.length === 0) return result

  const box = await secretBoxFor(deps.config, deps.database)
  const chans = deps.channels ?? builtInChannels
  const schoolChannel = new Map<string, Promise<{ enabled: boolean; settings: ChannelSettings; secrets: ChannelSecrets | undefined } | null>>()
  const loadChannel = (school: string, kind: ChannelKind) => {
    const key = `${school}|${kind}`
    let p = schoolChannel.get(key)
    if (!p) {
      p = queryRows<{ enabled: boolean; settings: ChannelSettings | null; secret_sealed: string | null }>(db, sql`
        select enabled, settings, secret_sealed from school_channels where school_id = ${school} and kind = ${kind}`)
        .then((rows) => rows[0]
          ? { enabled: rows[0].enabled, settings: rows[0].settings ?? {}, secrets: rows[0].secret_sealed ? box.open<ChannelSecrets>(rows[0].secret_sealed, channelAad(school, kind)) : {} }
          : null)
      schoolChannel.set(key, p)
    }
    return p
  }

  await Promise.all(claimed.map(async (row) => {
    const msg = renderMessage(deps.config, { kind: row.kind, refId: row.ref_id, deadline: row.deadline ? new Date(row.deadline) : null }, now)
    const started = performance.now()
    let outcome: SendResult
    try {
      outcome = await sendOne(deps, chans, row, msg, await loadChannel(row.school_id, row.channel))
    } catch (err) {
      outcome = { ok: false, error: safeError(err).slice(0, 60) }
    }
    const durationMs = Math.round(performance.now() - started)
    const status = outcome.ok ? 'sent'
      : PERMANENT.has(outcome.error ?? '') || row.attempts >= deps.config.OUTBOX_MAX_ATTEMPTS ? 'dead' : 'failed'
    const next = status === 'failed' ? new Date(now.getTime() + backoffMs(deps.config, row.attempts, random)) : now
    await db.transaction(async (tx: Tx) => {
      await tx.execute(sql`
        insert into outbox_attempts (school_id, message_id, channel, attempt_no, at, result, http_status, smtp_code, duration_ms, error)
        values (${row.school_id}, ${row.id}, ${row.channel}, ${row.attempts}, ${iso(now)}::timestamptz, ${outcome.ok ? 'sent' : 'failed'},
          ${outcome.httpStatus ?? null}, ${outcome.smtpCode ?? null}, ${durationMs}, ${outcome.ok ? null : outcome.error ?? 'failed'})`)
      await tx.execute(sql`
        update outbox_messages set status = ${status}, text = ${msg.text}, link = ${msg.link},
          last_error = ${outcome.ok ? null : outcome.error ?? 'failed'},
          next_attempt_at = ${iso(next)}::timestamptz,
          sent_at = ${outcome.ok ? iso(now) : null}::timestamptz
        where school_id = ${row.school_id} and id = ${row.id}`)
    })
    if (status === 'sent') result.sent++
    else if (status === 'dead') result.dead++
    else result.retrying++
    // Ids and codes only: never the text's link target, an address or a URL.
    deps.log?.[status === 'dead' ? 'warn' : 'debug']({ message: row.id, channel: row.channel, attempt: row.attempts, status, error: outcome.error }, 'outbox delivery')
  }))
  return result
}

async function sendOne(deps: OutboxDeps, chans: Record<ChannelKind, Channel>, row: DueRow, msg: { subject: string; text: string },
  ch: { enabled: boolean; settings: ChannelSettings; secrets: ChannelSecrets | undefined } | null): Promise<SendResult> {
  if (!ch || !ch.enabled) return { ok: false, error: 'channel_off' }
  if (!ch.secrets) return { ok: false, error: 'secret_unreadable' }
  const dest: Destination = { settings: ch.settings, secrets: ch.secrets }
  if (row.recipient_user_id) {
    const u = (await queryRows<{ email: string | null; mobile: string | null; email_enabled: boolean; sms_enabled: boolean }>(deps.database.db, sql`
      select email, mobile, email_enabled, sms_enabled from user_channels where school_id = ${row.school_id} and user_id = ${row.recipient_user_id}`))[0]
    const to = row.channel === 'email' ? (u?.email_enabled ? u.email : null) : row.channel === 'sms' ? (u?.sms_enabled ? u.mobile : null) : null
    if (!to) return { ok: false, error: 'recipient_off' }
    dest.to = to
  }
  return chans[row.channel].send(msg, dest, { timeoutMs: deps.config.OUTBOX_SEND_TIMEOUT_MS })
}

export interface OutboxWorker {
  /** Runs one delivery now (after the current one, if any); resolves with its result. */
  kick(): Promise<DeliverResult | undefined>
  /** Stops polling and waits for the run in progress to record its attempts. */
  stop(): Promise<void>
}

/**
 * Polls every OUTBOX_POLL_MS. A run that fails (the database restarting) is logged and the next
 * poll tries again; rows are never lost, only delayed.
 */
export function startOutboxWorker(deps: OutboxDeps): OutboxWorker {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<DeliverResult | undefined> = Promise.resolve(undefined)
  const run = (): Promise<DeliverResult | undefined> => {
    running = running.then(async () => {
      if (stopped) return undefined
      try {
        const r = await deliverDue(deps)
        if (r.claimed > 0 || r.deferred > 0) deps.log?.info({ ...r }, 'outbox run')
        return r
      } catch (err) {
        deps.log?.error({ error: safeError(err) }, 'outbox run failed')
        return undefined
      }
    })
    return running
  }
  const loop = () => {
    if (stopped) return
    void run().finally(() => {
      if (!stopped) timer = setTimeout(loop, deps.config.OUTBOX_POLL_MS)
    })
  }
  timer = setTimeout(loop, deps.config.OUTBOX_POLL_MS)
  return {
    kick: run,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
