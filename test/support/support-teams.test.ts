import t from '../helpers/tap.js'
import { and, eq, isNull } from 'drizzle-orm'
import { pairings } from '../../db/schema/index.js'
import { supportWorld } from './fixtures.js'

/** 多帮一: a team around one student; each member is a pairing and reads what a paired mentor reads. */
t.test('多帮一 support team: members read the student while the team lasts', async (t) => {
  const w = await supportWorld()
  const s = await w.student()
  const other = await w.student('class2')
  // A subject teacher with only the mentor role, and the homeroom teacher of the other class.
  const subject = await w.caller(w.A, [{ role: 'mentor' }])
  const otherHomeroom = await w.caller(w.A, [{ role: 'homeroom_teacher', classId: w.A.classIds[1] }])

  t.equal((await w.call(subject, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404, 'before the team, the student is not theirs')

  const body = { purpose: '学业与情绪支持', members: [{ userId: w.mentor.id, teamRole: 'leader' }, { userId: subject.id, teamRole: 'subject_teacher' }] }
  t.equal((await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/support-teams`, body)).statusCode, 404, 'only psychology teachers form a team')
  t.equal((await w.call(w.psych, 'POST', `/api/v1/students/${(await w.student('schoolB')).id}/support-teams`, body)).statusCode, 404)
  let res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/support-teams`, { ...body, members: [{ userId: w.monitor.id, teamRole: 'other' }] })
  t.equal(res.statusCode, 400, 'a member must be a teacher')
  t.same(res.json().details?.fields, ['userId'])
  res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/support-teams`, { ...body, members: [{ userId: w.mentor.id, teamRole: 'chief' }] })
  t.equal(res.statusCode, 400)
  res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/support-teams`, { ...body, members: [...body.members, { userId: subject.id, teamRole: 'other' }] })
  t.equal(res.statusCode, 409, 'the same teacher twice')

  res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/support-teams`, body)
  t.equal(res.statusCode, 201, res.body)
  const team = res.json()
  t.match(team, { studentId: s.id, purpose: body.purpose, endedAt: null })
  t.same(team.members.map((m: { mentorId: string; teamRole: string; active: boolean; teamId: string }) => [m.mentorId, m.teamRole, m.active, m.teamId]),
    [[w.mentor.id, 'leader', true, team.id], [subject.id, 'subject_teacher', true, team.id]])
  const stored = await w.database.db.select().from(pairings).where(eq(pairings.teamId, team.id))
  t.equal(stored.length, 2, 'each member is a pairing row')

  // A team does not take the place of the one mentor pairing (一生一导师), nor the other way round.
  res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, { mentorId: otherHomeroom.id, purpose: '结对' })
  t.equal(res.statusCode, 201, 'a student with a team can still get their one mentor')

  // Members read the student as a paired mentor does; nothing of another student.
  t.equal((await w.call(subject, 'GET', `/api/v1/students/${s.id}`)).statusCode, 200, 'a member reads the student')
  t.equal((await w.call(subject, 'GET', `/api/v1/students/${other.id}`)).statusCode, 404)
  const seenRes = await w.call(subject, 'GET', `/api/v1/support-teams/${team.id}`)
  t.equal(seenRes.statusCode, 200, seenRes.body)
  const seen = seenRes.json()
  t.same(seen.members.map((m: { mentorId: string }) => m.mentorId), [subject.id], 'a member sees their own place in the team')
  t.notOk('endedReason' in seen, 'why a team ended is not the members’')
  const hrView = (await w.call(w.homeroom, 'GET', `/api/v1/support-teams?studentId=${s.id}`)).json()
  t.equal(hrView.total, 1, 'the homeroom teacher sees the team around their pupil')
  t.notOk('purpose' in hrView.items[0].members[0], 'but not the purpose given to the members')
  const stranger = await w.caller(w.A, [{ role: 'homeroom_teacher', classId: w.A.classIds[1] }])
  t.equal((await w.call(stranger, 'GET', `/api/v1/support-teams/${team.id}`)).statusCode, 404, 'a teacher with no part in it')

  // Add a member; remove one: that member's access ends at the next request.
  res = await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members`, { userId: otherHomeroom.id, teamRole: 'homeroom' })
  t.equal(res.statusCode, 201, res.body)
  const added = res.json()
  t.equal((await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members`, { userId: subject.id, teamRole: 'other' })).statusCode, 409, 'already a member')
  const subjectPlace = team.members.find((m: { mentorId: string }) => m.mentorId === subject.id).id as string
  res = await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members/${subjectPlace}/end`)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().active, false)
  t.equal((await w.call(subject, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404, 'a removed member loses access at once')
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 200, 'the others keep theirs')
  t.equal((await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members/${subjectPlace}/end`)).statusCode, 409)
  const otherMentorPairing = (await w.database.db.select().from(pairings).where(and(eq(pairings.studentId, s.id), isNull(pairings.teamId))))[0]!
  t.equal((await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members/${otherMentorPairing.id}/end`)).statusCode, 404, 'a pairing outside the team is not a member')

  // End the team: every member pairing ends in the same transaction.
  t.equal((await w.call(w.mentor, 'POST', `/api/v1/support-teams/${team.id}/end`, {})).statusCode, 404, 'members do not end the team')
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 200, 'the leader reads the student while the team is active')
  res = await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/end`, { endedReason: '目标达成' })
  t.equal(res.statusCode, 200, res.body)
  t.ok(res.json().endedAt)
  t.ok(res.json().members.every((m: { active: boolean }) => m.active === false), 'every member pairing ended')
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404, 'the very next request after the end: 404')
  t.equal((await w.call(otherHomeroom, 'GET', `/api/v1/students/${s.id}`)).statusCode, 200, 'the student’s own mentor pairing stays')
  const open = await w.database.db.select().from(pairings).where(and(eq(pairings.teamId, team.id), isNull(pairings.endedAt)))
  t.equal(open.length, 0)
  t.equal((await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/end`, {})).statusCode, 409, 'ended once')
  t.equal((await w.call(w.psych, 'POST', `/api/v1/support-teams/${team.id}/members`, { userId: subject.id, teamRole: 'other' })).statusCode, 409, 'no member joins an ended team')
  t.equal((await w.call(w.psych, 'GET', `/api/v1/support-teams?studentId=${s.id}&active=false`)).json().total, 1)
  t.equal(added.teamRole, 'homeroom')
})
