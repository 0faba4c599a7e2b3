import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, boolean, timestamp, primaryKey, unique, uniqueIndex, foreignKey, index,
} from 'drizzle-orm/pg-core'
import { schools, classes } from './org.js'

export const students = pgTable('students', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentNo: text('student_no').notNull(),
  /** 学籍号: the national student number, one per pupil for life (optional until known). */
  nationalId: text('national_id'),
  name: text('name').notNull(),
  /** M | F */
  gender: text('gender').notNull(),
  birthDate: date('birth_date'),
  classId: uuid('class_id').notNull(),
  /** enrolled | left | graduated */
  status: text('status').notNull().default('enrolled'),
  leftAt: date('left_at'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('students_school_no_uq').on(t.schoolId, t.studentNo),
  foreignKey({ columns: [t.schoolId, t.classId], foreignColumns: [classes.schoolId, classes.id] }),
  index('students_class_idx').on(t.schoolId, t.classId),
  uniqueIndex('students_national_id_uq').on(t.schoolId, t.nationalId).where(sql`${t.nationalId} is not null and ${t.status} = 'enrolled'`),
])

export const guardians = pgTable('guardians', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  studentId: uuid('student_id').notNull(),
  name: text('name').notNull(),
  /** 父亲 / 母亲 / 祖父母 / 其他 — free text kept short */
  relation: text('relation').notNull().default('监护人'),
  phone: text('phone'),
  isPrimary: boolean('is_primary').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.studentId], foreignColumns: [students.schoolId, students.id] }).onDelete('cascade'),
  unique('guardians_student_name_uq').on(t.schoolId, t.studentId, t.name),
])
