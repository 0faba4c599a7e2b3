import { sql } from 'drizzle-orm'
import { pgTable, uuid, text, timestamp, boolean, bigint, index, check, foreignKey } from 'drizzle-orm/pg-core'
import { districts, schools, classes } from './org.js'

/**
 * Staff accounts. Usernames are global because login happens before the school is known;
 * the account's home school (null for district staff) drives row-level security.
 */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  displayName: text('display_name').notNull(),
  schoolId: uuid('school_id').references(() => schools.id),
  districtId: uuid('district_id').references(() => districts.id),
  /** active | disabled */
  status: text('status').notNull().default('active'),
  locale: text('locale').notNull().default('zh-CN'),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * Set when someone else chose the password (a new account, an admin's reset): the account
   * can do nothing but change it, so the person who handed it over cannot keep using it.
   */
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  /**
   * Moves whenever who this user is as an actor changes (a login ended, the account disabled,
   * its password, school or roles changed): database triggers bump it, and a server holding
   * the actor in memory compares it on the request's first statement (src/access/transaction.ts).
   */
  authEpoch: bigint('auth_epoch', { mode: 'number' }).notNull().default(0),
  /**
   * Second factor (TOTP, RFC 6238): the shared secret sealed by the application (never the
   * plain base32), set at enrolment and confirmed by a first valid code (totp_enabled_at).
   */
  totpSecret: text('totp_secret'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  /** The last time step a code was accepted for: the same code cannot be used twice. */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('users_school_idx').on(t.schoolId)])

export const userRoles = pgTable('user_roles', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** psych_teacher | homeroom_teacher | mentor | peer_monitor | district_staff | school_admin */
  role: text('role').notNull(),
  schoolId: uuid('school_id').references(() => schools.id),
  classId: uuid('class_id'),
  districtId: uuid('district_id').references(() => districts.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('user_roles_user_idx').on(t.userId),
  foreignKey({ columns: [t.schoolId, t.classId], foreignColumns: [classes.schoolId, classes.id] }).onDelete('cascade'),
  check('user_roles_scope_ck', sql`(${t.role} = 'district_staff' and ${t.districtId} is not null and ${t.schoolId} is null)
    or (${t.role} <> 'district_staff' and ${t.schoolId} is not null)`),
])

/** One login = one family of refresh tokens; revoking it ends every token of the login at once. */
export const authSessions = pgTable('auth_sessions', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  /** logout | password_change | password_reset | ended_by_user | reuse_detected | disabled */
  revokedReason: text('revoked_reason'),
  /** When this login last proved the second factor (at login or a step-up check). */
  secondFactorAt: timestamp('second_factor_at', { withTimezone: true }),
}, (t) => [index('auth_sessions_user_idx').on(t.userId)])

export const refreshTokens = pgTable('refresh_tokens', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  sessionId: uuid('session_id').notNull().references(() => authSessions.id, { onDelete: 'cascade' }),
  /** SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('refresh_tokens_session_idx').on(t.sessionId)])

/** One-time recovery codes for the second factor: only a hash is kept; a used code stays, marked. */
export const userRecoveryCodes = pgTable('user_recovery_codes', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  codeHash: text('code_hash').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('user_recovery_codes_user_idx').on(t.userId)])
