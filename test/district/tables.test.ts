import t from '../helpers/tap.js'
import { randomUUID } from 'node:crypto'
import {
  careList, cases, crisisEvents, homeSchoolActivities, institutions, referrals, screeningCampaigns, screeningResponses, students, talkDuties,
} from '../../db/schema/index.js'
import { loadAggregates } from '../../src/modules/district/repository.js'
import { schoolYearWindow } from '../../src/modules/district/school-year.js'
import { ensureBuiltInInstruments } from '../../src/modules/screening/repository.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import { sharedTestApp, createSchool } from '../helpers/app.js'

/** What the district tables count, checked on records whose answer is known. */

const PHQ = BUILT_IN_INSTRUMENTS[0]!.id
const y = schoolYearWindow('2026-11-23')

t.test('the counts behind the tables', async (t) => {
  const { database } = await sharedTestApp()
  const { db } = database
  await ensureBuiltInInstruments(db)
  const school = await createSchool(database)
  const [c1] = school.classIds
  const mk = async (status = 'enrolled') => (await db.insert(students).values({ schoolId: school.schoolId, classId: c1, studentNo: randomUUID().slice(0, 8), name: '甲', gender: 'F', status }).returning())[0]!.id
  const s = await Promise.all(Array.from({ length: 8 }, () => mk()))
  const left = await mk('left')
  const campaign = async (year: string) => (await db.insert(screeningCampaigns).values({ schoolId: school.schoolId, name: 'c', schoolYear: year, instrumentIds: [PHQ], gradeLevels: [7], startDate: '2026-09-15', endDate: '2026-10-15' }).returning())[0]!.id
  const now = await campaign(y.current)
  const now2 = await campaign(y.current)
  const prev = await campaign(y.previous)
  const resp = (campaignId: string, studentId: string, risk: string, on: string, confirmed: string | null = null) =>
    db.insert(screeningResponses).values({ schoolId: school.schoolId, campaignId, studentId, instrumentId: PHQ, answers: [0], totalScore: 0, band: 'b', suggestedRisk: risk, confirmedRisk: confirmed, screenedOn: on })

  // s0: an open red case → red, whatever the screening says.
  await db.insert(cases).values({ schoolId: school.schoolId, studentId: s[0]!, source: 'other', riskLevel: 'red', state: 'intervening' })
  await resp(now, s[0]!, 'green', '2026-09-20')
  // s1: only a closed case; screened green → green.
  await db.insert(cases).values({ schoolId: school.schoolId, studentId: s[1]!, source: 'other', riskLevel: 'red', state: 'closed', closedAt: new Date() })
  await resp(now, s[1]!, 'green', '2026-09-20')
  // s2: active care list orange beats a red screening (the teacher's judgement is current).
  await db.insert(careList).values({ schoolId: school.schoolId, studentId: s[2]!, riskLevel: 'orange' })
  await resp(now, s[2]!, 'red', '2026-09-20')
  // s3: care list entry removed; suggested yellow, confirmed orange → orange.
  await db.insert(careList).values({ schoolId: school.schoolId, studentId: s[3]!, riskLevel: 'red', removedAt: new Date() })
  await resp(now, s[3]!, 'yellow', '2026-09-20', 'orange')
  // s4: red in September, green in the later campaign → green now; red for the year table.
  await resp(now, s[4]!, 'red', '2026-09-16')
  await resp(now2, s[4]!, 'green', '2026-10-10')
  // s5: screened last year only → unassessed now, counted last year.
  await resp(prev, s[5]!, 'yellow', '2025-09-20')
  // s6, s7: nothing. The pupil who left counts nowhere.
  await resp(now, left, 'red', '2026-09-20')

  const monthly = (studentId: string, status: string) => db.insert(talkDuties).values({ schoolId: school.schoolId, studentId, classId: c1!, kind: 'monthly', windowKey: '2026-10', windowStart: '2026-10-01', dueDate: '2026-10-31', status })
  await monthly(s[0]!, 'done')
  await monthly(s[1]!, 'done_late')
  await monthly(s[2]!, 'overdue')
  await db.insert(talkDuties).values({ schoolId: school.schoolId, studentId: s[0]!, classId: c1!, kind: 'monthly', windowKey: '2025-10', windowStart: '2025-10-01', dueDate: '2025-10-31', status: 'done' })

  await db.insert(homeSchoolActivities).values([
    { schoolId: school.schoolId, kind: 'home_visit', title: 't', activityDate: '2026-10-02', attendance: 2 },
    { schoolId: school.schoolId, kind: 'home_visit', title: 't', activityDate: '2026-10-05', attendance: 3 },
    { schoolId: school.schoolId, kind: 'parent_school', title: 't', activityDate: '2025-10-05', attendance: 30 },
  ])
  const inst = (await db.insert(institutions).values({ schoolId: school.schoolId, name: 'i', kind: 'other' }).returning())[0]!.id
  const ref = (studentId: string, sent: string | null, received: string | null, closed: boolean) => db.insert(referrals).values({
    schoolId: school.schoolId, studentId, institutionId: inst, reason: 'r', state: closed ? 'closed' : 'sent',
    sentAt: sent ? new Date(`${sent}T10:00:00+08:00`) : null, receivedOn: received, followUpDate: '2026-12-01', closedAt: closed ? new Date() : null,
  })
  await ref(s[0]!, '2026-10-01', '2026-10-03', true)
  await ref(s[1]!, '2026-10-01', '2026-10-08', false)
  await ref(s[2]!, '2026-10-01', null, false)
  await ref(s[3]!, null, null, false)
  const crisis = (studentId: string, deadline: Date, ack: Date | null) => db.insert(crisisEvents).values({ schoolId: school.schoolId, studentId, source: 'manual', openedAt: new Date('2026-10-01T02:00:00Z'), ackDeadline: deadline, acknowledgedAt: ack })
  await crisis(s[0]!, new Date('2026-10-01T02:30:00Z'), new Date('2026-10-01T02:20:00Z'))
  await crisis(s[1]!, new Date('2026-10-01T02:30:00Z'), new Date('2026-10-01T03:20:00Z'))
  await crisis(s[2]!, new Date('2026-10-01T02:30:00Z'), null)
  await crisis(s[3]!, new Date(Date.now() + 3_600_000), null)

  const agg = await loadAggregates(db, [school.schoolId], y)
  const byRank = Object.fromEntries(agg.riskCurrent.map((r) => [r.rank, r.n]))
  t.same(byRank, { 4: 1, 3: 2, 1: 2, 0: 3 }, 'red 1 (case), orange 2 (care list, confirmed), green 2, unassessed 3')
  const byYear = agg.riskByYear.map((r) => `${r.schoolYear}:${r.rank}:${r.n}`).sort()
  t.same(byYear, [`${y.current}:1:2`, `${y.current}:3:1`, `${y.current}:4:2`, `${y.previous}:2:1`].sort(), 'highest risk of the year per enrolled pupil: green s0 s1, orange s3 (confirmed), red s2 s4')
  t.same(agg.talks.map((r) => `${r.windowKey}:${r.status}:${r.n}`).sort(), ['2026-10:done:1', '2026-10:done_late:1', '2026-10:overdue:1'], 'this school year\'s windows only')
  t.same(agg.activities.map(({ key: _key, ...r }) => r), [{ schoolId: school.schoolId, kind: 'home_visit', n: 2, attendance: 5 }])
  const refSchool = agg.referrals.find((r) => r.schoolId === school.schoolId)!
  t.same(refSchool, { schoolId: school.schoolId, sent: 3, received: 2, closed: 1, medianDays: 4.5 }, 'sent referrals; median of 2 and 7 days')
  t.same(agg.crisis, [{ schoolId: school.schoolId, due: 3, onTime: 1 }], 'the event not yet due is left out; late and missing are not on time')
})
