import { sql } from 'drizzle-orm'
import { pgTable, uuid, text, date, boolean, smallint, primaryKey, unique } from 'drizzle-orm/pg-core'
import { schools } from './org.js'

export const terms = pgTable('terms', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** e.g. 2026-2027 */
  schoolYear: text('school_year').notNull(),
  /** 1 = 上学期 (autumn), 2 = 下学期 (spring) */
  semester: smallint('semester').notNull(),
  name: text('name').notNull(),
  startDate: date('start_date').notNull(),
  endDate: date('end_date').notNull(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('terms_school_year_sem_uq').on(t.schoolId, t.schoolYear, t.semester),
])

export const holidays = pgTable('holidays', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  /** spring_festival | national_day | summer | winter | labour_day | other */
  kind: text('kind').notNull().default('other'),
  startDate: date('start_date').notNull(),
  endDate: date('end_date').notNull(),
  /** 重大节假日: triggers the 返校必谈 duty */
  major: boolean('major').notNull().default(false),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('holidays_school_name_start_uq').on(t.schoolId, t.name, t.startDate),
])
