import t from '../helpers/tap.js'
import { and, eq, inArray } from 'drizzle-orm'
import { auditLog, inspectionVisits, notifications, rectificationItems, users } from '../../db/schema/index.js'
import { loadConfig, type Config } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { addDays, atSchoolTime } from '../../src/lib/school-day.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob } from '../../src/jobs/runner.js'
import { checklistById } from '../../src/modules/inspection/checklists/index.js'
import { createSchool, createUser, type SchoolFixture } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'

/** 督导整改: each school admin hears once of each problem past its 整改时限, by a fake clock. */

const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), jwtSecret: 'x'.repeat(32) }
const job = jobsByName.get('rectification-overdue')!
const run = (database: Database, day: string, time = '07:40') => runJob(database, job, { now: atSchoolTime(day, time), config })

async function problem(database: Database, school: SchoolFixture, visitId: string, itemCode: string, deadline: string, status = 'open') {
  return (await database.db.insert(rectificationItems).values({
    schoolId: school.schoolId, visitId, itemCode, problem: `问题${itemCode}：学生甲的个案记录不全`, responsibleName: '李主任', deadline, status,
    ...(status === 'rectified' ? { rectifiedOn: deadline } : {}),
  }).returning())[0]!.id
}

t.test('overdue problems: notified once per admin, the day after the deadline in the school\'s calendar, never again', async (t) => {
  const fresh = await freshDatabase()
  t.teardown(() => fresh.drop())
  const { database } = fresh
  const school = await createSchool(database)
  const other = await createSchool(database, school.districtId)
  const admin1 = await createUser(database, school, [{ role: 'school_admin' }])
  const admin2 = await createUser(database, school, [{ role: 'school_admin' }])
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const gone = await createUser(database, school, [{ role: 'school_admin' }])
  await database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, gone.id))
  const otherAdmin = await createUser(database, other, [{ role: 'school_admin' }])

  const visit = (await database.db.insert(inspectionVisits).values({ schoolId: school.schoolId, visitedOn: '2026-09-20', inspectorName: '王督学' }).returning())[0]!.id
  const otherVisit = (await database.db.insert(inspectionVisits).values({ schoolId: other.schoolId, visitedOn: '2026-09-20', inspectorName: '王督学' }).returning())[0]!.id
  const deadline = '2026-10-31'
  const late = await problem(database, school, visit, '2', deadline)
  const later = await problem(database, school, visit, '10', '2026-11-15')
  await problem(database, school, visit, '6', '2026-10-01', 'rectified')
  const elsewhere = await problem(database, other, otherVisit, '3', deadline)

  const notesOf = (userIds: string[]) => database.db.select().from(notifications)
    .where(and(inArray(notifications.userId, userIds), eq(notifications.kind, 'rectification_overdue')))

  // The deadline day itself: not yet overdue. 23:30 Beijing on it is 15:30 UTC, still the same day.
  let r = await run(database, deadline, '23:30')
  t.match(r, { status: 'ok', counts: { overdueItems: 0, notifications: 0 } })
  // 00:30 Beijing the next day is still the deadline day in UTC: the school's calendar decides.
  const next = addDays(deadline, 1)
  r = await run(database, next, '00:30')
  t.equal(r.status, 'ok')
  const adminIds = [admin1.id, admin2.id]
  let notes = await notesOf([...adminIds, psych.id, gone.id])
  t.same(notes.map((n) => n.userId).sort(), [...adminIds].sort(), 'each active admin of the school, nobody else')
  for (const n of notes) {
    t.equal(n.refId, late)
    t.same(n.params, { itemCode: '2', item: checklistById()!.items.find((i) => i.code === '2')!.point, deadline }, 'the notice names the checklist item and the deadline, nothing else')
    t.notMatch(JSON.stringify(n), /学生甲|李主任/, 'no problem text, no name')
  }
  t.match(r.counts, { overdueItems: 2, notifications: 3 }, 'two problems overdue (one per school), three admins told')
  t.equal((await notesOf([otherAdmin.id])).length, 1, 'the other school\'s admin hears of their own problem')
  t.equal((await notesOf([otherAdmin.id]))[0]!.refId, elsewhere)
  const [row] = await database.db.select().from(rectificationItems).where(eq(rectificationItems.id, late))
  t.ok(row!.overdueNotifiedAt instanceof Date, 'marked as told')
  const audits = await database.db.select().from(auditLog).where(and(eq(auditLog.actorRoles, 'job:rectification-overdue'), eq(auditLog.resource, 'rectification_items')))
  t.same(audits.flatMap((a) => a.recordIds as string[]).sort(), [late, elsewhere].sort(), 'the change is audited, ids only')

  // The next days: not again.
  r = await run(database, addDays(next, 1))
  t.match(r.counts, { overdueItems: 0, notifications: 0 })
  t.equal((await notesOf(adminIds)).length, 2, 'still one notice per admin')

  // The second problem passes its own deadline: told once too.
  r = await run(database, '2026-11-16')
  t.match(r.counts, { overdueItems: 1, notifications: 2 })
  notes = await notesOf(adminIds)
  t.same(notes.filter((n) => n.refId === later).map((n) => n.userId).sort(), [...adminIds].sort())

  // A new deadline (the admin moved it) is told again once it passes; a rectified one never.
  await database.db.update(rectificationItems).set({ deadline: '2026-12-10', overdueNotifiedAt: null }).where(eq(rectificationItems.id, late))
  t.match((await run(database, '2026-12-10')).counts, { overdueItems: 0 })
  t.match((await run(database, '2026-12-11')).counts, { overdueItems: 1, notifications: 2 })
  await database.db.update(rectificationItems).set({ status: 'rectified', rectifiedOn: '2026-12-12', overdueNotifiedAt: null }).where(eq(rectificationItems.id, late))
  t.match((await run(database, '2026-12-20')).counts, { overdueItems: 0, notifications: 0 })
})
