import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, smallint, integer, boolean, timestamp, primaryKey, unique, uniqueIndex, foreignKey, index,
} from 'drizzle-orm/pg-core'

/** Reference table: replicated to every node when distributed by school_id. */
export const districts = pgTable('districts', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

/** Reference table; `id` is the distribution key of every school-bound table. */
export const schools = pgTable('schools', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  districtId: uuid('district_id').notNull().references(() => districts.id),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /** primary | junior | senior | nine_year | complete */
  stage: text('stage').notNull().default('complete'),
  /**
   * Whether psychology teachers, school admins (and the district's staff) must use a second
   * factor: null follows the deployment's default (on in production).
   */
  requireSecondFactor: boolean('require_second_factor'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('schools_district_idx').on(t.districtId)])

export const grades = pgTable('grades', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** 1–12: 一年级 … 高三 */
  level: smallint('level').notNull(),
  name: text('name').notNull(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('grades_school_level_uq').on(t.schoolId, t.level),
])

export const classes = pgTable('classes', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  gradeId: uuid('grade_id').notNull(),
  name: text('name').notNull(),
  /** Position within the grade: 1 for (1)班. */
  seq: integer('seq').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * Set when the class graduated (升年级): it stays, so the records and former pupils that
   * name it still read 九年级(1)班, but it leaves its grade's numbering to next year's class.
   */
  endedAt: timestamp('ended_at', { withTimezone: true }),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  uniqueIndex('classes_school_grade_seq_uq').on(t.schoolId, t.gradeId, t.seq).where(sql`ended_at is null`),
  foreignKey({ columns: [t.schoolId, t.gradeId], foreignColumns: [grades.schoolId, grades.id] }),
])
