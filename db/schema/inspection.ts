import { sql } from 'drizzle-orm'
import {
  pgTable, uuid, text, date, smallint, integer, numeric, timestamp, boolean, jsonb, customType, primaryKey, foreignKey, index, unique, check,
} from 'drizzle-orm/pg-core'
import { schools, classes } from './org.js'
import { users } from './auth.js'

/**
 * 督导自查: the records an inspection checks that the case work does not already hold
 * (组织保障, 课程与活动, 队伍建设, 应急预案 and drills), the school's self-check report,
 * and the 整改 loop after an inspection visit. None of these rows names a student.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })

/**
 * A file kept as evidence (meeting minutes, the yearly 工作方案, the 应急预案): the bytes
 * themselves, at most a few megabytes, so a backup of the database holds the evidence too.
 */
export const inspectionDocuments = pgTable('inspection_documents', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  fileName: text('file_name').notNull(),
  mediaType: text('media_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  content: bytea('content').notNull(),
  uploadedBy: uuid('uploaded_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  check('inspection_documents_size_ck', sql`${t.sizeBytes} between 1 and 10485760`),
])

/** 心理健康工作领导小组: who sits on it, by role; a member leaves by an end date. */
export const leadershipMembers = pgTable('leadership_members', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** A member with an account; otherwise `name`. */
  userId: uuid('user_id').references(() => users.id),
  name: text('name'),
  /** Their post in the school, e.g. 校长, 分管副校长, 德育主任, 心理教师. */
  post: text('post').notNull(),
  /** leader | deputy | member (组长 / 副组长 / 成员) */
  groupRole: text('group_role').notNull(),
  since: date('since').notNull(),
  until: date('until'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  check('leadership_members_who_ck', sql`${t.userId} is not null or ${t.name} is not null`),
  check('leadership_members_role_ck', sql`${t.groupRole} in ('leader', 'deputy', 'member')`),
])

/** A meeting of the leadership group; the minutes are optional (a document). */
export const leadershipMeetings = pgTable('leadership_meetings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  meetingDate: date('meeting_date').notNull(),
  topic: text('topic').notNull(),
  attendees: smallint('attendees'),
  minutesDocumentId: uuid('minutes_document_id'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.minutesDocumentId], foreignColumns: [inspectionDocuments.schoolId, inspectionDocuments.id] }),
  index('leadership_meetings_date_idx').on(t.schoolId, t.meetingDate),
])

/**
 * The school year's 心理健康工作方案 and its budget line: one row per school year
 * (e.g. 2026-2027). The plan is a document; the budget is an amount in yuan only.
 */
export const yearlyPlans = pgTable('yearly_plans', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  schoolYear: text('school_year').notNull(),
  title: text('title'),
  adoptedOn: date('adopted_on'),
  planDocumentId: uuid('plan_document_id'),
  /** 专项经费 in yuan, two decimals. */
  budgetYuan: numeric('budget_yuan', { precision: 12, scale: 2 }),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('yearly_plans_year_uq').on(t.schoolId, t.schoolYear),
  foreignKey({ columns: [t.schoolId, t.planDocumentId], foreignColumns: [inspectionDocuments.schoolId, inspectionDocuments.id] }),
  check('yearly_plans_budget_ck', sql`${t.budgetYuan} is null or ${t.budgetYuan} >= 0`),
])

/**
 * A lesson held in one class: 生命安全教育 (life_safety, weekly), 心理健康教育
 * (mental_health, every two weeks), 主题班会 (class_meeting, monthly), 阳光5分钟
 * (sunshine, daily). One row per class, kind and day; `periods` counts 课时.
 * `source` says whether a teacher entered it or it came from the timetable.
 */
export const lessonRecords = pgTable('lesson_records', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  classId: uuid('class_id').notNull(),
  /** life_safety | mental_health | class_meeting | sunshine */
  kind: text('kind').notNull(),
  heldOn: date('held_on').notNull(),
  periods: smallint('periods').notNull().default(1),
  topic: text('topic'),
  teacherId: uuid('teacher_id').references(() => users.id),
  /** manual | timetable */
  source: text('source').notNull().default('manual'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.classId], foreignColumns: [classes.schoolId, classes.id] }),
  unique('lesson_records_once_uq').on(t.schoolId, t.classId, t.kind, t.heldOn),
  index('lesson_records_held_idx').on(t.schoolId, t.heldOn),
  check('lesson_records_kind_ck', sql`${t.kind} in ('life_safety', 'mental_health', 'class_meeting', 'sunshine')`),
  check('lesson_records_periods_ck', sql`${t.periods} between 1 and 10`),
])

/**
 * A themed activity: 心理健康日 (5·25), 心理健康教育月, 开学礼, or another; for the whole
 * school, a grade or one class, with the number who took part (never names).
 */
export const schoolActivities = pgTable('school_activities', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** mental_health_day | mental_health_month | opening_ceremony | other */
  kind: text('kind').notNull(),
  title: text('title').notNull(),
  startsOn: date('starts_on').notNull(),
  endsOn: date('ends_on'),
  /** school | grade | class */
  reach: text('reach').notNull().default('school'),
  gradeId: uuid('grade_id'),
  classId: uuid('class_id'),
  participants: integer('participants').notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.classId], foreignColumns: [classes.schoolId, classes.id] }),
  index('school_activities_starts_idx').on(t.schoolId, t.startsOn),
  check('school_activities_kind_ck', sql`${t.kind} in ('mental_health_day', 'mental_health_month', 'opening_ceremony', 'other')`),
  check('school_activities_reach_ck', sql`${t.reach} in ('school', 'grade', 'class')`),
  check('school_activities_participants_ck', sql`${t.participants} >= 0`),
  check('school_activities_dates_ck', sql`${t.endsOn} is null or ${t.endsOn} >= ${t.startsOn}`),
])

/**
 * 队伍建设: one course of training one member of staff took (psychology teachers,
 * homeroom teachers and others), with hours and the certificate if one was given.
 */
export const staffTrainings = pgTable('staff_trainings', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  userId: uuid('user_id').references(() => users.id),
  /** Only for staff without an account. */
  name: text('name'),
  course: text('course').notNull(),
  provider: text('provider'),
  hours: numeric('hours', { precision: 6, scale: 1 }).notNull(),
  completedOn: date('completed_on').notNull(),
  certificate: text('certificate'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('staff_trainings_completed_idx').on(t.schoolId, t.completedOn),
  index('staff_trainings_user_idx').on(t.schoolId, t.userId),
  check('staff_trainings_who_ck', sql`${t.userId} is not null or ${t.name} is not null`),
  check('staff_trainings_hours_ck', sql`${t.hours} > 0 and ${t.hours} <= 1000`),
])

/** 心理危机干预应急预案: each adopted text is a new version; the highest is in force. */
export const emergencyPlans = pgTable('emergency_plans', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  version: integer('version').notNull(),
  title: text('title').notNull(),
  adoptedOn: date('adopted_on').notNull(),
  /** What changed from the previous version. */
  changeNote: text('change_note'),
  documentId: uuid('document_id'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('emergency_plans_version_uq').on(t.schoolId, t.version),
  foreignKey({ columns: [t.schoolId, t.documentId], foreignColumns: [inspectionDocuments.schoolId, inspectionDocuments.id] }),
])

/** A drill of the emergency plan: when, how wide, how many took part. */
export const emergencyDrills = pgTable('emergency_drills', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  drillDate: date('drill_date').notNull(),
  /** school | grade | class */
  reach: text('reach').notNull().default('school'),
  scenario: text('scenario').notNull(),
  participants: integer('participants'),
  review: text('review'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('emergency_drills_date_idx').on(t.schoolId, t.drillDate),
  check('emergency_drills_reach_ck', sql`${t.reach} in ('school', 'grade', 'class')`),
])

/**
 * The school's self-check for one period (a term, or a whole school year): the parts the
 * school writes itself. Every figure of the report is computed from the records when it is
 * shown, never stored.
 */
export const selfChecks = pgTable('self_checks', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  /** term | school_year */
  periodKind: text('period_kind').notNull(),
  /** A term's id, or a school year such as 2026-2027. */
  periodKey: text('period_key').notNull(),
  /** Which checklist (its id in the checklist file); the district's default when null. */
  checklistId: text('checklist_id').notNull(),
  highlights: text('highlights'),
  problems: text('problems'),
  /** Per checklist item, what the school adds in 备注: { itemCode: text }. */
  remarks: jsonb('remarks').$type<Record<string, string>>().notNull().default({}),
  inspector: text('inspector'),
  inspectedOn: date('inspected_on'),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  unique('self_checks_period_uq').on(t.schoolId, t.periodKind, t.periodKey),
  check('self_checks_kind_ck', sql`${t.periodKind} in ('term', 'school_year')`),
])

/** An inspection visit (督导检查): when, and who came (free text: name and role). */
export const inspectionVisits = pgTable('inspection_visits', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  visitedOn: date('visited_on').notNull(),
  inspectorName: text('inspector_name').notNull(),
  inspectorRole: text('inspector_role'),
  /** The 整改通知书's reference, if it has one. */
  noticeRef: text('notice_ref'),
  summary: text('summary'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  index('inspection_visits_date_idx').on(t.schoolId, t.visitedOn),
])

/**
 * One problem of a 整改通知书, tied to a checklist item, with its 整改措施, the person
 * responsible and the 整改时限. Closed by a 回头看 that finds it rectified.
 */
export const rectificationItems = pgTable('rectification_items', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  visitId: uuid('visit_id').notNull(),
  /** The checklist item's code, e.g. "1" … "13". */
  itemCode: text('item_code').notNull(),
  problem: text('problem').notNull(),
  measure: text('measure'),
  responsibleUserId: uuid('responsible_user_id').references(() => users.id),
  responsibleName: text('responsible_name'),
  deadline: date('deadline').notNull(),
  /** open | rectified */
  status: text('status').notNull().default('open'),
  rectifiedOn: date('rectified_on'),
  /** Set when the school admin was told the deadline passed, so they are told once. */
  overdueNotifiedAt: timestamp('overdue_notified_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.visitId], foreignColumns: [inspectionVisits.schoolId, inspectionVisits.id] }),
  index('rectification_items_visit_idx').on(t.schoolId, t.visitId),
  index('rectification_items_open_idx').on(t.schoolId, t.deadline).where(sql`status = 'open'`),
  check('rectification_items_status_ck', sql`${t.status} in ('open', 'rectified')`),
])

/** A progress note on a problem, optionally with evidence (a document). */
export const rectificationNotes = pgTable('rectification_notes', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  itemId: uuid('item_id').notNull(),
  notedOn: date('noted_on').notNull(),
  body: text('body').notNull(),
  documentId: uuid('document_id'),
  authorId: uuid('author_id').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.itemId], foreignColumns: [rectificationItems.schoolId, rectificationItems.id] }),
  foreignKey({ columns: [t.schoolId, t.documentId], foreignColumns: [inspectionDocuments.schoolId, inspectionDocuments.id] }),
  index('rectification_notes_item_idx').on(t.schoolId, t.itemId),
])

/** 回头看: a follow-up check of one problem. "Not rectified" needs a reason. */
export const rectificationChecks = pgTable('rectification_checks', {
  schoolId: uuid('school_id').notNull().references(() => schools.id),
  id: uuid('id').notNull().default(sql`gen_random_uuid()`),
  itemId: uuid('item_id').notNull(),
  checkedOn: date('checked_on').notNull(),
  rectified: boolean('rectified').notNull(),
  reason: text('reason'),
  checkedBy: uuid('checked_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.id] }),
  foreignKey({ columns: [t.schoolId, t.itemId], foreignColumns: [rectificationItems.schoolId, rectificationItems.id] }),
  index('rectification_checks_item_idx').on(t.schoolId, t.itemId),
  check('rectification_checks_reason_ck', sql`${t.rectified} or ${t.reason} is not null`),
])
