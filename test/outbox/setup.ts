import { sql } from 'drizzle-orm'
import type { Config } from '../../src/config.js'
import { queryRows } from '../../src/db/database.js'
import { deliverDue, type DeliverOptions } from '../../src/modules/outbox/worker.js'
import { buildTestApp, createSchool, createUser, injectAs, login, rid, type SchoolFixture, type TestContext } from '../helpers/app.js'
import { DINGTALK_SECRET, DINGTALK_TOKEN, SMS_KEY, SMTP_PASSWORD, SMTP_USER, WECOM_KEY, type MailServer, type RobotServer } from './servers.js'

export const PUBLIC_URL = 'https://xinan.example.edu.cn'
export const CHANNEL_KEY = 'outbox-test-channel-key-0123456789abcdef'

export const outboxConfig: Partial<Config> = {
  PUBLIC_BASE_URL: PUBLIC_URL,
  CHANNEL_SECRET_KEY: CHANNEL_KEY,
  OUTBOX_SEND_TIMEOUT_MS: 3000,
  OUTBOX_MAX_ATTEMPTS: 4,
  OUTBOX_RETRY_BASE_S: 30,
  OUTBOX_RETRY_MAX_S: 3600,
}

export interface Staff { id: string; token: string }

export interface OutboxWorld extends TestContext {
  school: SchoolFixture
  admin: Staff
  psych: Staff
  psych2: Staff
  deliver(opts?: DeliverOptions): ReturnType<typeof deliverDue>
}

interface Teardown { teardown(fn: () => unknown): void }

async function staff(ctx: TestContext, school: SchoolFixture, role: 'school_admin' | 'psych_teacher'): Promise<Staff> {
  const u = await createUser(ctx.database, school, [{ role }])
  return { id: u.id, token: (await login(ctx.app, u.username)).accessToken }
}

/** An app on a fresh database with one school, its admin and two psychology teachers. */
export async function outboxWorld(t: Teardown, overrides: Partial<Config> = {}): Promise<OutboxWorld> {
  const ctx = await buildTestApp(t, { ...outboxConfig, ...overrides })
  const school = await createSchool(ctx.database)
  const w: OutboxWorld = {
    ...ctx, school,
    admin: await staff(ctx, school, 'school_admin'),
    psych: await staff(ctx, school, 'psych_teacher'),
    psych2: await staff(ctx, school, 'psych_teacher'),
    deliver: (opts = {}) => deliverDue({ database: ctx.database, config: ctx.config }, { random: () => 0.5, ...opts }),
  }
  return w
}

/** Sets up every school channel through the API, pointing at the local test servers. */
export async function configureChannels(w: OutboxWorld, robots: RobotServer, mail: MailServer) {
  const put = async (kind: string, payload: Record<string, unknown>) => {
    const res = await injectAs(w.app, w.admin.token, { method: 'PUT', url: `/api/v1/notification-channels/${kind}`, payload })
    if (res.statusCode !== 200) throw new Error(`PUT ${kind}: ${res.statusCode} ${res.body}`)
    return res.json() as Record<string, unknown>
  }
  await put('wecom', { enabled: true, url: `${robots.base}/wecom?key=${WECOM_KEY}` })
  await put('dingtalk', { enabled: true, url: `${robots.base}/dingtalk?access_token=${DINGTALK_TOKEN}`, signingSecret: DINGTALK_SECRET })
  await put('email', { enabled: true, host: '127.0.0.1', port: mail.port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD, sender: 'xinan@example.edu.cn' })
  await put('sms', { enabled: true, url: `${robots.base}/sms`, apiKey: SMS_KEY })
}

/** A teacher's own channels through the API. */
export async function personal(w: OutboxWorld, who: Staff, payload: Record<string, unknown>) {
  const res = await injectAs(w.app, who.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload })
  if (res.statusCode !== 200) throw new Error(`PUT me: ${res.statusCode} ${res.body}`)
}

/** One statement inserting notifications, as the jobs do. */
export async function notifyRaw(w: OutboxWorld, rows: Array<{ userId: string; kind: string; refId?: string | null; params?: object | null }>) {
  const values = rows.map((r) => sql`(${w.school.schoolId}, ${r.userId}, ${r.kind}, ${r.refId ?? null}, ${r.params ? JSON.stringify(r.params) : null}::jsonb)`)
  await w.database.db.execute(sql`insert into notifications (school_id, user_id, kind, ref_id, params) values ${sql.join(values, sql`, `)}`)
}

export interface OutboxRow {
  id: string; channel: string; kind: string; recipient_user_id: string | null; ref_id: string | null; status: string
  attempts: number; next_attempt_at: Date; last_error: string | null; text: string | null; deadline: Date | null
}

export function outboxRows(w: OutboxWorld): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(w.database.db, sql`select * from outbox_messages order by created_at, channel`)
}

/** A crisis event of a new student, its acknowledgement due at `deadline`. */
export async function crisisEvent(w: OutboxWorld, deadline: Date, summary = '危机摘要'): Promise<string> {
  const s = await queryRows<{ id: string }>(w.database.db, sql`
    insert into students (school_id, class_id, student_no, name, gender, birth_date)
    values (${w.school.schoolId}, ${w.school.classIds[0]}, ${`N${rid()}`}, ${`学生${rid()}`}, 'F', '2013-05-01') returning id`)
  const c = await queryRows<{ id: string }>(w.database.db, sql`
    insert into crisis_events (school_id, student_id, source, summary, ack_deadline)
    values (${w.school.schoolId}, ${s[0]!.id}, 'manual', ${summary}, ${deadline.toISOString()}::timestamptz) returning id`)
  return c[0]!.id
}
