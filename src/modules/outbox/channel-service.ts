import { and, eq } from 'drizzle-orm'
import { schoolChannels, userChannels } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Executor } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { channels } from './channels/index.js'
import { hostHint } from './channels/http.js'
import { ChannelKinds, type ChannelKind, type ChannelSecrets, type ChannelSettings, type SendResult } from './channels/types.js'
import { testMessage } from './message.js'
import type { MyChannelsPut, SchoolChannelPut } from './schemas.js'
import { channelAad, secretBoxFor } from './secret-box.js'

/** Which body fields each kind takes; anything else is refused naming the field. */
const FIELDS: Record<ChannelKind, ReadonlyArray<keyof SchoolChannelPut>> = {
  wecom: ['enabled', 'url'],
  dingtalk: ['enabled', 'url', 'signingSecret'],
  email: ['enabled', 'host', 'port', 'secure', 'user', 'password', 'sender'],
  sms: ['enabled', 'url', 'apiKeyHeader', 'apiKey'],
}

/** Stored beside the settings: which secrets are set, so a read never needs to open them. */
type StoredSettings = ChannelSettings & { set?: string[] }

function itemOf(kind: ChannelKind, row: Row | undefined) {
  const s = (row?.settings ?? {}) as StoredSettings
  const set = new Set(s.set ?? [])
  return {
    kind,
    enabled: row?.enabled === true,
    host: s.host ?? null, port: s.port ?? null, secure: s.secure ?? null, user: s.user ?? null, sender: s.from ?? null,
    apiKeyHeader: s.apiKeyHeader ?? null,
    urlSet: set.has('url'), signingSecretSet: set.has('secret'), passwordSet: set.has('password'), apiKeySet: set.has('apiKey'),
    hint: typeof row?.hint === 'string' ? row.hint : null,
    updatedAt: row?.updatedAt instanceof Date ? row.updatedAt : null,
  }
}

function testOutcome(r: SendResult) {
  return { ok: r.ok, error: r.ok ? null : r.error ?? 'failed', httpStatus: r.httpStatus ?? null, smtpCode: r.smtpCode ?? null }
}

/**
 * The sealed column, read only to merge a change or to send a test: no role's policy reads it,
 * so it cannot come through the gateway's projection — and it never leaves this module.
 */
async function sealedOf(ex: Executor, schoolId: string, kind: ChannelKind) {
  const rows = await ex.select({ enabled: schoolChannels.enabled, settings: schoolChannels.settings, secretSealed: schoolChannels.secretSealed })
    .from(schoolChannels).where(and(eq(schoolChannels.schoolId, schoolId), eq(schoolChannels.kind, kind)))
  return rows[0]
}

/** A teacher's own address for a personal channel's test (their own row; nobody else's is read). */
async function ownAddress(ex: Executor, schoolId: string, userId: string, kind: 'email' | 'sms'): Promise<string | null> {
  const rows = await ex.select({ email: userChannels.email, mobile: userChannels.mobile }).from(userChannels)
    .where(and(eq(userChannels.schoolId, schoolId), eq(userChannels.userId, userId)))
  return (kind === 'email' ? rows[0]?.email : rows[0]?.mobile) ?? null
}

/** The school's outbound channels (school admin) and each teacher's own (e-mail, SMS). */
export function createChannelService(gw: Gateway) {
  const box = () => secretBoxFor(gw.config, gw.database)

  /**
   * Reads what the test needs in the caller's transaction, then sends after it has committed:
   * a slow provider must not hold a transaction open (the embedded database runs one at a time).
   */
  async function sendTest(ctx: RequestContext, kind: ChannelKind, address: (t: Executor) => Promise<string | null | undefined>) {
    const b = await box()
    const schoolId = ctx.actor.schoolId!
    const { row, to } = await gw.tx(ctx, async (t) => ({ row: await sealedOf(t, schoolId, kind), to: await address(t) }))
    if (!row) return testOutcome({ ok: false, error: 'not_configured' })
    const secrets = row.secretSealed ? b.open<ChannelSecrets>(row.secretSealed, channelAad(schoolId, kind)) : {}
    if (!secrets) return testOutcome({ ok: false, error: 'secret_unreadable' })
    if ((kind === 'email' || kind === 'sms') && !to) return testOutcome({ ok: false, error: 'no_address' })
    const r = await channels[kind].send(testMessage(gw.config), { settings: (row.settings ?? {}), secrets, ...(to ? { to } : {}) },
      { timeoutMs: gw.config.OUTBOX_SEND_TIMEOUT_MS })
    return testOutcome(r)
  }

  return {
    list(ctx: RequestContext) {
      return gw.tx(ctx, async (t) => {
        const r = await gw.list(t, ctx.decision, { limit: ChannelKinds.length, offset: 0 })
        await gw.audit(t, ctx, { action: 'R', rows: r.items })
        return { items: ChannelKinds.map((k) => itemOf(k, r.items.find((i) => i.kind === k))) }
      })
    },

    async put(ctx: RequestContext, kind: ChannelKind, body: SchoolChannelPut) {
      const wrong = Object.keys(body).filter((k) => body[k as keyof SchoolChannelPut] !== undefined && !FIELDS[kind].includes(k as keyof SchoolChannelPut))
      if (wrong.length) throw new Validation('field_not_for_channel', { field: wrong[0]! }, { fields: wrong })
      const b = await box()
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (t) => {
        const before = await sealedOf(t, schoolId, kind)
        const secrets: ChannelSecrets = (before?.secretSealed ? b.open<ChannelSecrets>(before.secretSealed, channelAad(schoolId, kind)) : undefined) ?? {}
        const prev = (before?.settings ?? {}) as StoredSettings
        const settings: ChannelSettings = {}
        const keep = <K extends keyof ChannelSettings>(k: K, v: ChannelSettings[K] | undefined) => {
          const value = v === undefined ? prev[k] : v
          if (value !== undefined && value !== '') settings[k] = value
        }
        const secret = <K extends keyof ChannelSecrets>(k: K, v: string | undefined) => {
          if (v === '') delete secrets[k]
          else if (v !== undefined) secrets[k] = v.trim()
        }
        secret('url', body.url)
        secret('secret', body.signingSecret)
        secret('password', body.password)
        secret('apiKey', body.apiKey)
        if (kind === 'email') {
          keep('host', body.host); keep('port', body.port); keep('secure', body.secure); keep('user', body.user); keep('from', body.sender)
        }
        if (kind === 'sms') keep('apiKeyHeader', body.apiKeyHeader)
        const enabled = body.enabled ?? before?.enabled ?? false
        // Switched on, a channel must be able to send: say which field is missing.
        if (enabled) {
          const missing = kind === 'email' ? (!settings.host ? 'host' : !settings.from ? 'sender' : null)
            : kind === 'dingtalk' ? (!secrets.url ? 'url' : !secrets.secret ? 'signingSecret' : null)
            : !secrets.url ? 'url' : null
          if (missing) throw new Validation('channel_incomplete', { field: missing }, { fields: [missing] })
        }
        const set = Object.keys(secrets).filter((k) => secrets[k as keyof ChannelSecrets]).sort()
        const values = {
          enabled,
          settings: { ...settings, set },
          secretSealed: set.length ? b.seal(secrets, channelAad(schoolId, kind)) : null,
          hint: kind === 'email' ? null : hostHint(secrets.url),
          updatedAt: new Date(),
        }
        const secretChanged = [body.url, body.signingSecret, body.password, body.apiKey].some((v) => v !== undefined)
        const row = await gw.upsert(t, ctx, ctx.decision, [schoolChannels.schoolId, schoolChannels.kind], {
          input: body.enabled !== undefined ? { enabled: body.enabled } : {},
          values: { schoolId, kind, ...values },
          onConflict: values,
          audit: { action: 'U', fieldGroups: secretChanged ? ['sealed', 'setup'] : ['setup'] },
        })
        return itemOf(kind, row)
      })
    },

    /** Sends the test message now (not through the outbox), so the admin sees the provider's answer. */
    test(ctx: RequestContext, kind: ChannelKind) {
      return sendTest(ctx, kind, (t) => kind === 'email' || kind === 'sms' ? ownAddress(t, ctx.actor.schoolId!, ctx.actor.userId, kind) : Promise.resolve(null))
    },

    getMine(ctx: RequestContext) {
      return gw.tx(ctx, async (t) => {
        const row = await gw.find(t, ctx.decision, ctx.actor.userId)
        if (row) await gw.audit(t, ctx, { action: 'R', rows: [row] })
        // Whether the school's e-mail and SMS are on: a teacher reads no other column of school_channels.
        const school = await t.select({ kind: schoolChannels.kind }).from(schoolChannels)
          .where(and(eq(schoolChannels.schoolId, ctx.actor.schoolId!), eq(schoolChannels.enabled, true)))
        return {
          email: typeof row?.email === 'string' ? row.email : null,
          mobile: typeof row?.mobile === 'string' ? row.mobile : null,
          emailEnabled: row?.emailEnabled === true,
          smsEnabled: row?.smsEnabled === true,
          updatedAt: row?.updatedAt instanceof Date ? row.updatedAt : null,
          schoolEmail: school.some((s) => s.kind === 'email'),
          schoolSms: school.some((s) => s.kind === 'sms'),
        }
      })
    },

    async putMine(ctx: RequestContext, body: MyChannelsPut) {
      await gw.tx(ctx, async (t) => {
        const before = await gw.find(t, ctx.decision, ctx.actor.userId)
        const email = body.email === undefined ? (before?.email as string | null | undefined) ?? null : body.email || null
        const mobile = body.mobile === undefined ? (before?.mobile as string | null | undefined) ?? null : body.mobile || null
        const emailEnabled = body.emailEnabled ?? before?.emailEnabled === true
        const smsEnabled = body.smsEnabled ?? before?.smsEnabled === true
        if (emailEnabled && !email) throw new Validation('channel_incomplete', { field: 'email' }, { fields: ['email'] })
        if (smsEnabled && !mobile) throw new Validation('channel_incomplete', { field: 'mobile' }, { fields: ['mobile'] })
        const set = { email, mobile, emailEnabled, smsEnabled, updatedAt: new Date() }
        await gw.upsert(t, ctx, ctx.decision, [userChannels.schoolId, userChannels.userId], {
          input: body, values: { schoolId: ctx.actor.schoolId!, userId: ctx.actor.userId, ...set }, onConflict: set, audit: { action: 'U' },
        })
      })
      return this.getMine(ctx)
    },

    testMine(ctx: RequestContext, kind: 'email' | 'sms') {
      return sendTest(ctx, kind, async (t) => {
        const row = await gw.find(t, ctx.decision, ctx.actor.userId)
        return (kind === 'email' ? row?.email : row?.mobile) as string | null | undefined
      })
    },
  }
}
