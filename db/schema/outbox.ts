import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, boolean, integer, jsonb, timestamp, primaryKey, index, unique,
} from 'drizzle-orm/pg-core'
import { schools } from './org.js'
import { users } from './auth.js'

/**
 * A school's outbound channel (企业微信 or 钉钉 group robot, SMTP server, SMS provider). The
 * webhook URLs (their key is in the query string), the 钉钉 signing secret, the SMTP password
 * and the SMS API key are sealed together in `secret_sealed` (AES-256-GCM, src/modules/outbox/
 * secret-box.ts) and no role may read that column; `hint` is the last four characters of the
 * URL's host, so an admin can tell which robot is set without seeing its key.
 */
export const schoolChannels = pgTable('school_channels', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** wecom | dingtalk | email | sms */
  kind: text('kind').notNull(),
  enabled: boolean('enabled').notNull().default(false),
  /** What is not secret: SMTP host, port, TLS, user and sender; the SMS key's header name. */
  settings: jsonb('settings'),
  secretSealed: text('secret_sealed'),
  hint: text('hint'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('school_channels_kind_uq').on(t.schoolId, t.kind),
])

/** A teacher's own channels: where e-mail and SMS alerts reach them, and which are on. */
export const userChannels = pgTable('user_channels', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  email: text('email'),
  mobile: text('mobile'),
  emailEnabled: boolean('email_enabled').notNull().default(false),
  smsEnabled: boolean('sms_enabled').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.userId] })])

/**
 * Messages that leave the app, written in the same transaction as the notification that causes
 * them (trigger notifications_outbox, migration outbox_fanout). They hold no personal data: the
 * kind of event, its deadline and a link; the recipient's address is looked up when sending.
 */
export const outboxMessages = pgTable('outbox_messages', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  notificationId: uuid('notification_id'),
  /** The teacher (e-mail, SMS); null for a school robot. */
  recipientUserId: uuid('recipient_user_id').references(() => users.id, { onDelete: 'cascade' }),
  /** wecom | dingtalk | email | sms */
  channel: text('channel').notNull(),
  /** The notification's kind (crisis_escalated, alert_received …). */
  kind: text('kind').notNull(),
  /** The record the link opens (a crisis, an alert); null: the notifications page. */
  refId: uuid('ref_id'),
  deadline: timestamp('deadline', { withTimezone: true }),
  /** The text and link as last sent (rendered by the worker from kind, deadline and PUBLIC_BASE_URL). */
  text: text('text'),
  link: text('link'),
  /** pending (never tried) | failed (will be retried at next_attempt_at) | sent | dead (gave up) */
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  /** A code (http_500, errcode_310000, smtp_550, timeout …), never a payload or an address. */
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('outbox_messages_due_idx').on(t.nextAttemptAt).where(sql`status in ('pending', 'failed')`),
])

/** Each delivery attempt: its outcome and the provider's answer code, for the rate limit and for operators. */
export const outboxAttempts = pgTable('outbox_attempts', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  messageId: uuid('message_id').notNull(),
  channel: text('channel').notNull(),
  attemptNo: integer('attempt_no').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  /** sent | failed */
  result: text('result').notNull(),
  httpStatus: integer('http_status'),
  smtpCode: integer('smtp_code'),
  durationMs: integer('duration_ms').notNull(),
  error: text('error'),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('outbox_attempts_window_idx').on(t.schoolId, t.channel, t.at),
  index('outbox_attempts_message_idx').on(t.schoolId, t.messageId),
])
