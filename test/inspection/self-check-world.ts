import { randomUUID } from 'node:crypto'
import type { Database } from '../../src/db/database.js'
import {
  careList, classes, crisisEvents, emergencyDrills, emergencyPlans, grades, groupSessions, holidays, homeSchoolActivities, institutions,
  instruments, leadershipMeetings, leadershipMembers, lessonRecords, mentorContacts, pairings, parentContacts, referrals, safetyAssessments,
  schoolActivities, screeningCampaigns, screeningConsents, screeningResponses, staffProfiles, staffTrainings, students, supportTeams,
  talkDuties, terms, yearlyPlans,
} from '../../db/schema/index.js'
import { addDays } from '../../src/lib/school-day.js'
import { createSchool, createUser, rid, type SchoolFixture, type UserFixture } from '../helpers/app.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'

/**
 * One school's records for the 2025-2026 autumn term, made to exercise every checklist item:
 * some rules met, some below, so the report has both. The test computes each expected figure
 * from the arrays kept here, never from the report. Student names and 学号 are canaries.
 */

export const TERM = { from: '2025-09-01', to: '2026-01-16', schoolYear: '2025-2026' }
export const NATIONAL_DAY = { start: '2025-10-01', end: '2025-10-07' }
/** After the term: every window of it is over. */
export const TODAY = '2026-03-02'

export interface Pupil { id: string; classId: string; level: number; name: string; studentNo: string; status: string }

export interface SelfCheckWorld {
  school: SchoolFixture
  termId: string
  classes: Array<{ id: string; name: string; level: number }>
  pupils: Pupil[]
  psych: UserFixture
  admin: UserFixture
  homerooms: UserFixture[]
  lessons: Array<{ classId: string; kind: string; heldOn: string; periods: number }>
  activities: Array<{ kind: string; startsOn: string; participants: number }>
  campaignLevels: number[]
  screenedIds: string[]
  consents: { given: number; refused: number }
  duties: Array<{ classId: string; kind: string; status: string; dueDate: string }>
  pairings: Array<{ studentId: string; mentorId: string; teamId: string | null }>
  mentorContacts: number
  careListed: string[]
  groups: Array<{ kind: string; attendance: number; sessionDate: string }>
  contacts: Array<{ studentId: string; channel: string; contactDate: string }>
  homeSchool: Array<{ kind: string; attendance: number; activityDate: string }>
  staff: Array<{ userId: string | null; name: string | null; employment: string; qualifications: string[] }>
  trainings: Array<{ userId: string | null; name: string | null; hours: number; completedOn: string }>
  crises: Array<{ opened: string; assessed: boolean; resolved: boolean }>
  referrals: Array<{ state: string; proposed: string; closed: string | null; followUp: string }>
  drills: Array<{ drillDate: string; participants: number }>
  meetings: string[]
  leadership: Array<{ role: string; since: string; until: string | null }>
  budgetYuan: number
}

const CANARY = () => `CANARY${rid()}`

function mondays(from: string, to: string): string[] {
  const out: string[] = []
  let d = from
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== 1) d = addDays(d, 1)
  for (; d <= to; d = addDays(d, 7)) out.push(d)
  return out
}

export async function buildSelfCheckWorld(database: Database): Promise<SelfCheckWorld> {
  const { db } = database
  const school = await createSchool(database)
  const s = school.schoolId
  const termId = (await db.insert(terms).values({ schoolId: s, schoolYear: TERM.schoolYear, semester: 1, name: '2025-2026学年上学期', startDate: TERM.from, endDate: TERM.to }).returning())[0]!.id
  await db.insert(holidays).values({ schoolId: s, name: '国庆节', kind: 'national_day', startDate: NATIONAL_DAY.start, endDate: NATIONAL_DAY.end, major: true })
  const g4 = (await db.insert(grades).values({ schoolId: s, level: 4, name: '四年级' }).returning())[0]!
  const c4 = (await db.insert(classes).values({ schoolId: s, gradeId: g4.id, name: '四年级(1)班', seq: 1 }).returning())[0]!
  const cls = [
    { id: c4.id, name: '四年级(1)班', level: 4 },
    { id: school.classIds[0], name: '七年级(1)班', level: 7 },
    { id: school.classIds[1], name: '七年级(2)班', level: 7 },
  ]
  // Pupils: four a class, one of them has left (not counted as enrolled).
  const pupils: Pupil[] = []
  for (const c of cls) {
    for (let i = 0; i < 4; i++) {
      const p: Pupil = { id: randomUUID(), classId: c.id, level: c.level, name: `金丝雀${CANARY()}`, studentNo: CANARY(), status: i === 3 && c.level === 7 ? 'left' : 'enrolled' }
      pupils.push(p)
    }
  }
  await db.insert(students).values(pupils.map((p) => ({ schoolId: s, id: p.id, classId: p.classId, name: p.name, studentNo: p.studentNo, gender: 'F', status: p.status })))
  const enrolled = pupils.filter((p) => p.status === 'enrolled')

  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const admin = await createUser(database, school, [{ role: 'school_admin' }])
  const homerooms = [
    await createUser(database, school, [{ role: 'homeroom_teacher', classId: cls[1]!.id }]),
    await createUser(database, school, [{ role: 'homeroom_teacher', classId: cls[2]!.id }]),
    await createUser(database, school, [{ role: 'homeroom_teacher', classId: cls[0]!.id }]),
  ]

  // 1 组织保障: one member left before the term; one meeting in the term, one before it.
  const leadership = [
    { role: 'leader', since: '2024-09-01', until: null },
    { role: 'deputy', since: '2024-09-01', until: null },
    { role: 'member', since: '2024-09-01', until: null },
    { role: 'member', since: '2024-09-01', until: '2025-06-30' },
  ]
  await db.insert(leadershipMembers).values(leadership.map((l, i) => ({ schoolId: s, name: `组员${i}`, post: '教师', groupRole: l.role, since: l.since, until: l.until })))
  const meetings = ['2025-09-10']
  await db.insert(leadershipMeetings).values([...meetings, '2025-06-01'].map((d) => ({ schoolId: s, meetingDate: d, topic: '部署心理健康工作' })))
  const budgetYuan = 20000
  await db.insert(yearlyPlans).values({ schoolId: s, schoolYear: TERM.schoolYear, title: '心理健康教育工作方案', adoptedOn: '2025-08-28', budgetYuan: String(budgetYuan) })

  // 2 课程: 七年级(1)班 every Monday (two periods of 心理健康教育); 七年级(2)班 only in September; 四年级 every
  // Monday but no 心理健康教育 after October. A lesson outside the term does not count.
  const lessons: SelfCheckWorld['lessons'] = []
  for (const d of mondays(TERM.from, TERM.to)) {
    for (const c of cls) {
      const sept = d < '2025-10-01'
      if (c.name === '七年级(2)班' && !sept) continue
      lessons.push({ classId: c.id, kind: 'life_safety', heldOn: d, periods: 1 })
      lessons.push({ classId: c.id, kind: 'sunshine', heldOn: d, periods: 1 })
      if (c.level === 7 || d < '2025-11-01') lessons.push({ classId: c.id, kind: 'mental_health', heldOn: d, periods: 2 })
      if (d.slice(8) <= '07') lessons.push({ classId: c.id, kind: 'class_meeting', heldOn: d, periods: 1 })
    }
  }
  await db.insert(lessonRecords).values([...lessons, { classId: cls[1]!.id, kind: 'life_safety', heldOn: '2025-06-02', periods: 1 }]
    .map((l) => ({ schoolId: s, ...l })))

  // 3 活动
  const activities = [
    { kind: 'opening_ceremony', startsOn: '2025-09-01', participants: 11 },
    { kind: 'other', startsOn: '2025-11-12', participants: 8 },
  ]
  await db.insert(schoolActivities).values([...activities, { kind: 'mental_health_day', startsOn: '2025-05-25', participants: 9 }]
    .map((a) => ({ schoolId: s, title: '主题活动', reach: 'school', ...a })))

  // 4 测评: grades 4 and 7; all but one enrolled pupil screened; a left pupil's answers do not count.
  const instrumentId = (await db.insert(instruments).values({
    schoolId: s, code: `T${rid()}`, nameZh: '测试量表', nameEn: 'Test', definition: {}, licence: 'test',
  }).returning())[0]!.id
  const campaignLevels = [4, 7]
  const campaignId = (await db.insert(screeningCampaigns).values({
    schoolId: s, name: '秋季测评', schoolYear: TERM.schoolYear, instrumentIds: [instrumentId], gradeLevels: campaignLevels,
    startDate: '2025-10-08', endDate: '2025-10-24', status: 'closed',
  }).returning())[0]!.id
  const screened = [...enrolled.slice(1), pupils.find((p) => p.status === 'left')!]
  await db.insert(screeningResponses).values(screened.map((p) => ({
    schoolId: s, campaignId, studentId: p.id, instrumentId, answers: [0, 1], totalScore: 1, band: 'none', suggestedRisk: 'green', screenedOn: '2025-10-10',
  })))
  await db.insert(screeningConsents).values(pupils.slice(0, 3).map((p, i) => ({ schoolId: s, campaignId, studentId: p.id, guardianConsent: i === 0 ? 'refused' : 'given' })))
  const screenedIds = screened.map((p) => p.id)

  // 5 三个必谈: duties of each status, one duty outside the term.
  const statuses = ['done', 'done', 'done', 'done', 'done', 'done_late', 'done_late', 'overdue']
  const duties = statuses.map((status, i) => ({ classId: enrolled[i]!.classId, kind: i < 6 ? 'semester' : 'monthly', status, dueDate: '2025-10-31', studentId: enrolled[i]!.id }))
  await db.insert(talkDuties).values([...duties, { classId: enrolled[0]!.classId, kind: 'semester', status: 'overdue', dueDate: '2025-06-30', studentId: enrolled[0]!.id }].map((d) => ({
    schoolId: s, studentId: d.studentId, classId: d.classId, kind: d.kind, status: d.status, dueDate: d.dueDate,
    windowKey: `${d.kind}-${d.dueDate}`, windowStart: addDays(d.dueDate, -30),
  })))
  // Pairings: two single mentors; a support team of two around a third pupil.
  const team = (await db.insert(supportTeams).values({ schoolId: s, studentId: enrolled[2]!.id, purpose: '多帮一', startDate: '2025-09-15' }).returning())[0]!
  const pairs = [
    { studentId: enrolled[0]!.id, mentorId: homerooms[0]!.id, teamId: null },
    { studentId: enrolled[1]!.id, mentorId: homerooms[1]!.id, teamId: null },
    { studentId: enrolled[2]!.id, mentorId: homerooms[0]!.id, teamId: team.id },
    { studentId: enrolled[2]!.id, mentorId: psych.id, teamId: team.id },
  ]
  const pairRows = await db.insert(pairings).values(pairs.map((p) => ({ schoolId: s, ...p, purpose: '结对帮扶', startDate: '2025-09-15', teamRole: p.teamId ? 'other' : null }))).returning()
  await db.insert(mentorContacts).values([0, 1, 1].map((i) => ({ schoolId: s, pairingId: pairRows[i]!.id, studentId: pairRows[i]!.studentId, mentorId: pairRows[i]!.mentorId, contactDate: '2025-10-15', kind: 'talk' })))
  // The care list: one paired pupil, one not.
  const careListed = [enrolled[0]!.id, enrolled[4]!.id]
  await db.insert(careList).values(careListed.map((id) => ({ schoolId: s, studentId: id, riskLevel: 'yellow', addedAt: new Date('2025-09-20T02:00:00Z') })))

  // 6 多帮一: students' groups only (no parents' group: below the rule).
  const groups = [{ kind: 'special_students', attendance: 12, sessionDate: '2025-11-05' }, { kind: 'general', attendance: 30, sessionDate: '2025-11-06' }]
  await db.insert(groupSessions).values(groups.map((g) => ({ schoolId: s, topic: '团体辅导', ...g })))

  // 7 家校协同
  const contacts = [
    { studentId: enrolled[0]!.id, channel: 'phone', contactDate: '2025-10-02' },
    { studentId: enrolled[0]!.id, channel: 'meeting', contactDate: '2025-11-02' },
    { studentId: enrolled[4]!.id, channel: 'phone', contactDate: '2025-12-02' },
  ]
  await db.insert(parentContacts).values([...contacts, { studentId: enrolled[5]!.id, channel: 'phone', contactDate: '2025-05-02' }].map((c) => ({ schoolId: s, ...c })))
  const homeSchool = [{ kind: 'parent_meeting', attendance: 25, activityDate: '2025-09-20' }, { kind: 'parent_school', attendance: 18, activityDate: '2025-12-12' }]
  await db.insert(homeSchoolActivities).values(homeSchool.map((h) => ({ schoolId: s, title: '家校活动', ...h })))

  // 8 队伍建设
  const staff = [
    { userId: psych.id, name: null, employment: 'full_time', qualifications: ['心理健康教育C证'] },
    { userId: null, name: `兼职${rid()}`, employment: 'part_time', qualifications: [] },
  ]
  await db.insert(staffProfiles).values(staff.map((p) => ({ schoolId: s, ...p, trainingYear: 2025 })))

  // 9 培训: the psychology teacher and one homeroom teacher of three.
  const trainings = [
    { userId: psych.id, name: null, hours: 8, completedOn: '2025-10-20' },
    { userId: psych.id, name: null, hours: 4.5, completedOn: '2025-12-01' },
    { userId: homerooms[0]!.id, name: null, hours: 4, completedOn: '2025-11-11' },
    { userId: homerooms[1]!.id, name: null, hours: 6, completedOn: '2025-05-11' },
  ].filter(Boolean)
  await db.insert(staffTrainings).values(trainings.map((x) => ({ schoolId: s, ...x, hours: String(x.hours), course: '心理健康教育培训' })))

  // 10 危机干预: the second version of the plan comes after the term.
  await db.insert(emergencyPlans).values([
    { schoolId: s, version: 1, title: '心理危机干预应急预案', adoptedOn: '2025-08-30' },
    { schoolId: s, version: 2, title: '心理危机干预应急预案（修订）', adoptedOn: '2026-02-20' },
  ])
  const drills = [{ drillDate: '2025-11-20', participants: 40 }]
  await db.insert(emergencyDrills).values(drills.map((d) => ({ schoolId: s, scenario: '演练', reach: 'school', ...d })))
  const crises = [
    { opened: '2025-10-15T02:00:00Z', assessed: true, resolved: true },
    { opened: '2025-12-03T02:00:00Z', assessed: false, resolved: false },
  ]
  for (const [i, cr] of crises.entries()) {
    const ev = (await db.insert(crisisEvents).values({
      schoolId: s, studentId: enrolled[i]!.id, source: 'manual', status: cr.resolved ? 'resolved' : 'acknowledged',
      openedAt: new Date(cr.opened), ackDeadline: new Date(cr.opened), resolvedAt: cr.resolved ? new Date(cr.opened) : null,
    }).returning())[0]!
    if (cr.assessed) {
      // Answers and reason are sealed at rest: written with the school's notes key.
      await withNotesSchool(db, s, () => db.insert(safetyAssessments).values({ schoolId: s, crisisId: ev.id, studentId: enrolled[i]!.id, formCode: 'asq-bssa', formVersion: 1, answers: {}, disposition: 'none', reason: CANARY() }))
    }
  }

  // 11 及时转介: one closed, one sent and past its follow-up date.
  const inst = (await db.insert(institutions).values({ schoolId: s, name: '市精神卫生中心', kind: 'mental_health_centre' }).returning())[0]!
  const refs = [
    { state: 'closed', proposed: '2025-09-20T02:00:00Z', closed: '2025-12-20T02:00:00Z', followUp: '2025-10-20' },
    { state: 'sent', proposed: '2025-11-20T02:00:00Z', closed: null, followUp: '2025-12-10' },
  ]
  await db.insert(referrals).values(refs.map((r, i) => ({
    schoolId: s, studentId: enrolled[i]!.id, institutionId: inst.id, reason: CANARY(), state: r.state,
    proposedAt: new Date(r.proposed), closedAt: r.closed ? new Date(r.closed) : null, followUpDate: r.followUp,
  })))

  return {
    school, termId, classes: cls, pupils, psych, admin, homerooms, lessons, activities, campaignLevels, screenedIds,
    consents: { given: 2, refused: 1 }, duties, pairings: pairs, mentorContacts: 3, careListed, groups, contacts, homeSchool,
    staff, trainings, crises, referrals: refs, drills, meetings, leadership, budgetYuan,
  }
}
