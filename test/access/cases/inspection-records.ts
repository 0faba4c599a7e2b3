import {
  emergencyDrills, emergencyPlans, inspectionDocuments, leadershipMeetings, leadershipMembers, staffTrainings, yearlyPlans,
} from '../../../db/schema/index.js'
import { trainingTemplateXlsx } from '../../../src/modules/inspection/records-trainings.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { Variant, World, WorldUser } from '../world.js'

/**
 * Matrix entries of the 督导资料 records. They are school-wide records: the ownClass and
 * otherClass variants place them in school A, otherSchool in school B. Staff trainings are
 * owned by the member of staff they name (a homeroom teacher's `own` scope): the caller's own
 * in the ownClass variant, a colleague's in otherClass, school B's admin's in otherSchool.
 */

const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId)
const colleagueOf = (w: World, caller: WorldUser) => (caller.id === w.users.school_admin.id ? w.users.psych_teacher.id : w.users.school_admin.id)
const ownerOf = (w: World, v: Variant, caller: WorldUser) => (v === 'ownClass' ? caller.id : v === 'otherClass' ? colleagueOf(w, caller) : w.adminB.id)

async function freshDocument(w: World, v: Variant): Promise<string> {
  const content = Buffer.from(`资料${rid()}`)
  return (await w.database.db.insert(inspectionDocuments).values({
    schoolId: schoolOf(w, v), fileName: `纪要${rid()}.txt`, mediaType: 'text/plain; charset=utf-8', sizeBytes: content.length, content,
  }).returning())[0]!.id
}
async function freshMember(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(leadershipMembers).values({ schoolId: schoolOf(w, v), name: `成员${rid()}`, post: '德育主任', groupRole: 'member', since: '2026-09-01' }).returning())[0]!.id
}
async function freshMeeting(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(leadershipMeetings).values({ schoolId: schoolOf(w, v), meetingDate: '2026-09-10', topic: `会议${rid()}` }).returning())[0]!.id
}
/** School years far from the ones the routes write, one per plan (one row per school and year). */
let planYear = 3000
async function freshPlan(w: World, v: Variant): Promise<string> {
  const year = planYear++
  return (await w.database.db.insert(yearlyPlans).values({ schoolId: schoolOf(w, v), schoolYear: `${year}-${year + 1}`, title: `方案${rid()}` }).returning())[0]!.id
}
async function freshTraining(w: World, v: Variant, caller: WorldUser): Promise<string> {
  return (await w.database.db.insert(staffTrainings).values({
    schoolId: schoolOf(w, v), userId: ownerOf(w, v, caller), course: `培训${rid()}`, hours: '4.0', completedOn: '2026-10-12',
  }).returning())[0]!.id
}
async function freshVersion(w: World, v: Variant): Promise<string> {
  const schoolId = schoolOf(w, v)
  const rows = await w.database.db.select({ v: emergencyPlans.version }).from(emergencyPlans)
  const next = Math.max(0, ...rows.map((r) => r.v)) + 1
  return (await w.database.db.insert(emergencyPlans).values({ schoolId, version: next, title: `预案${rid()}`, adoptedOn: '2026-09-01' }).returning())[0]!.id
}
async function freshDrill(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(emergencyDrills).values({ schoolId: schoolOf(w, v), drillDate: '2026-11-15', scenario: `演练${rid()}` }).returning())[0]!.id
}

const fixed = (url: string, ok = 200, payload?: unknown): RouteCase => ({
  kind: 'collection', ok,
  async request() { return { url, ...(payload !== undefined ? { payload } : {}) } },
})
const listing = (url: string, fresh: (w: World, v: Variant, caller: WorldUser) => Promise<string>): RouteCase => ({
  kind: 'collection', ok: 200,
  async request(w, v, caller) { const id = await fresh(w, v, caller); return { url: `${url}?limit=500`, targetId: id } },
  contains: itemsContain,
})
const item = (ok: number, url: (id: string) => string, fresh: (w: World, v: Variant, caller: WorldUser) => Promise<string>, payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v, caller) { const id = await fresh(w, v, caller); return { url: url(id), targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})

const base = '/api/v1/inspection'

export const inspectionRecordsCases: Catalogue = {
  [`GET ${base}/documents`]: listing(`${base}/documents`, freshDocument),
  [`POST ${base}/documents`]: fixed(`${base}/documents`, 201, { fileName: '会议纪要.txt', content: Buffer.from('会议纪要').toString('base64') }),
  [`GET ${base}/documents/:id/content`]: item(200, (id) => `${base}/documents/${id}/content`, freshDocument),
  [`DELETE ${base}/documents/:id`]: item(204, (id) => `${base}/documents/${id}`, freshDocument),

  [`GET ${base}/leadership/members`]: listing(`${base}/leadership/members`, freshMember),
  [`POST ${base}/leadership/members`]: fixed(`${base}/leadership/members`, 201, { name: '李副校长', post: '分管副校长', groupRole: 'deputy', since: '2026-09-01' }),
  [`PATCH ${base}/leadership/members/:id`]: item(200, (id) => `${base}/leadership/members/${id}`, freshMember, { post: '副校长' }),
  [`DELETE ${base}/leadership/members/:id`]: item(204, (id) => `${base}/leadership/members/${id}`, freshMember),

  [`GET ${base}/leadership/meetings`]: listing(`${base}/leadership/meetings`, freshMeeting),
  [`POST ${base}/leadership/meetings`]: fixed(`${base}/leadership/meetings`, 201, { meetingDate: '2026-09-12', topic: '研究心理测评工作', attendees: 6 }),
  [`PATCH ${base}/leadership/meetings/:id`]: item(200, (id) => `${base}/leadership/meetings/${id}`, freshMeeting, { attendees: 9 }),
  [`DELETE ${base}/leadership/meetings/:id`]: item(204, (id) => `${base}/leadership/meetings/${id}`, freshMeeting),

  [`GET ${base}/yearly-plans`]: listing(`${base}/yearly-plans`, freshPlan),
  [`PUT ${base}/yearly-plans/:schoolYear`]: fixed(`${base}/yearly-plans/2026-2027`, 200, { title: '2026-2027学年心理健康教育工作方案', budgetYuan: 20000 }),

  [`GET ${base}/trainings`]: listing(`${base}/trainings`, freshTraining),
  [`POST ${base}/trainings`]: {
    kind: 'create', ok: 201,
    async request(w, v, caller) {
      return { url: `${base}/trainings`, payload: { userId: ownerOf(w, v, caller), course: '心理危机识别与干预', hours: 6, completedOn: '2026-10-20' } }
    },
  },
  [`PATCH ${base}/trainings/:id`]: item(200, (id) => `${base}/trainings/${id}`, freshTraining, { hours: 5 }),
  [`DELETE ${base}/trainings/:id`]: item(204, (id) => `${base}/trainings/${id}`, freshTraining),
  [`GET ${base}/trainings/import-template.xlsx`]: fixed(`${base}/trainings/import-template.xlsx`),
  [`POST ${base}/trainings/import`]: {
    kind: 'collection', ok: 200,
    async request() {
      return { url: `${base}/trainings/import`, payload: await trainingTemplateXlsx('zh-CN'), headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } }
    },
  },
  [`GET ${base}/trainings/export.xlsx`]: fixed(`${base}/trainings/export.xlsx`),

  [`GET ${base}/emergency-plans`]: listing(`${base}/emergency-plans`, freshVersion),
  [`GET ${base}/emergency-plans/current`]: fixed(`${base}/emergency-plans/current`),
  [`POST ${base}/emergency-plans`]: fixed(`${base}/emergency-plans`, 201, { title: '心理危机干预应急预案', adoptedOn: '2026-09-01' }),

  [`GET ${base}/drills`]: listing(`${base}/drills`, freshDrill),
  [`POST ${base}/drills`]: fixed(`${base}/drills`, 201, { drillDate: '2026-11-20', reach: 'school', scenario: '全校心理危机应急演练', participants: 900 }),
  [`PATCH ${base}/drills/:id`]: item(200, (id) => `${base}/drills/${id}`, freshDrill, { participants: 880 }),
  [`DELETE ${base}/drills/:id`]: item(204, (id) => `${base}/drills/${id}`, freshDrill),
}
