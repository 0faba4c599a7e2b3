import { sql } from 'drizzle-orm'
import { pgTable, uuid, text, date, timestamp, jsonb, smallint, bigint, boolean, integer, index, check, primaryKey } from 'drizzle-orm/pg-core'
import { districts } from './org.js'
import { users } from './auth.js'

/**
 * 区级数据发布: the district figures as frozen, dated releases. District staff read only these
 * rows; a release is never recomputed or changed (the app role may not update or delete it),
 * so two reads between releases cannot be subtracted to isolate one pupil.
 */
export const districtReleases = pgTable('district_releases', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  districtId: uuid('district_id').notNull().references(() => districts.id),
  /** The schools' calendar day the figures describe. */
  releasedOn: date('released_on').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** scheduled | on_demand | first_read */
  trigger: text('trigger').notNull(),
  /** Who asked for an on-demand release (null for the schedule and the first read). */
  requestedBy: uuid('requested_by').references(() => users.id),
  schoolIds: uuid('school_ids').array().notNull(),
  /** Every table of the district after perturbation and suppression, and the staffing table. */
  payload: jsonb('payload').notNull(),
}, (t) => [
  index('district_releases_district_idx').on(t.districtId, t.createdAt),
  check('district_releases_trigger_ck', sql`${t.trigger} in ('scheduled', 'on_demand', 'first_read')`),
])

/**
 * The installation's secret behind the cell-key method's record keys (one row). A record's key
 * is a keyed hash of its id, so every student, duty or referral has a fixed random key without
 * a column on each table; the secret never leaves the database owner's connection.
 */
export const cellKeySecrets = pgTable('cell_key_secrets', {
  id: smallint('id').primaryKey().default(1),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [check('cell_key_secrets_one_ck', sql`${t.id} = 1`)])

/**
 * A record's cell key (src/modules/district/cell-key.ts) kept with the record: 32 random bits
 * drawn once when the row is written (the first 8 hex digits of a v4 uuid are random) and
 * never changed, so every release reads the same key for the same record instead of hashing
 * every record again. Rows older than their key column or table keep the keyed hash of their
 * id they had (set by the migration), so releases before and after it agree.
 */
export const cellKeyDefault = sql`(('x' || substr(gen_random_uuid()::text, 1, 8))::bit(32)::bigint)`

/**
 * Students' cell keys, beside the students table rather than in it (no field of a student
 * record, so no policy or answer can carry one): a row is added by a statement trigger on
 * students when pupils are written and removed with them. Owner only; the app role has no
 * access (the triggers run as the owner).
 *
 * The row also keeps what the district risk tables need of the pupil's records, maintained by
 * statement triggers on cases, care_list, screening_responses and screening_campaigns (each
 * recomputes the touched pupils' values from those tables), so a release reads one row per
 * enrolled pupil instead of grouping every case, care-list entry and screening. A pupil without
 * a row (written with triggers off) is counted from the records themselves.
 */
export const studentCellKeys = pgTable('student_cell_keys', {
  schoolId: uuid('school_id').notNull(),
  studentId: uuid('student_id').notNull(),
  cellKey: bigint('cell_key', { mode: 'number' }).notNull().default(cellKeyDefault),
  /** Highest risk rank (红 4 … 绿 1) of the pupil's open cases and active care-list entries; null: none. */
  openRank: smallint('open_rank'),
  /**
   * The pupil's class and whether enrolled, copied from students by the same triggers (and a
   * statement trigger on students), so a release reads this table alone; a release checks them
   * against students per school and counts a school that disagrees from its records.
   */
  classId: uuid('class_id'),
  enrolled: boolean('enrolled').notNull().default(false),
  /**
   * The two latest school years with a ranked screening (campaign's school year): the highest
   * screening rank of each, and of the latest year also the latest screening as day·8 + rank
   * (day counted from 1900-01-01; the higher rank wins a tie of days). Screenings without a rank
   * are left out, as the tables leave them out. A release for an earlier school year than
   * these cover counts the pupil's school from its records.
   */
  lastYear: text('last_year'),
  lastTop: smallint('last_top'),
  lastLatest: integer('last_latest'),
  priorYear: text('prior_year'),
  priorTop: smallint('prior_top'),
}, (t) => [primaryKey({ columns: [t.schoolId, t.studentId] })])
