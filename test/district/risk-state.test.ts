import fc from 'fast-check'
import t from '../helpers/tap.js'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { classes, grades } from '../../db/schema/index.js'
import { queryRows, type Executor } from '../../src/db/database.js'
import { cellKeySecret } from '../../src/modules/district/cell-key.js'
import { loadAggregates, riskFromRecords, riskTables, type Aggregates, type SideLane } from '../../src/modules/district/repository.js'
import { releaseSideLane } from '../../src/modules/district/release.js'
import { generateDistrict } from './synthetic.js'
import { schoolYearWindow } from '../../src/modules/district/school-year.js'
import { ensureBuiltInInstruments } from '../../src/modules/screening/repository.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import { sharedTestApp, createSchool } from '../helpers/app.js'
import { sentBy } from '../helpers/statements.js'

/**
 * The district risk tables read each pupil's kept row (student_cell_keys: class, enrolment,
 * open_rank and the two latest screened years, maintained by triggers). They must give exactly
 * what counting the records themselves gives (riskFromRecords, the query the tables used
 * before): checked on random histories of inserts, updates, closes, removals and deletes of
 * cases, care-list entries and screenings, campaigns moved between school years, pupils leaving
 * and changing class, grades renumbered (rollover), single- and multi-row statements; as of
 * today and as of a day of last school year (kept years later than asked for).
 */

const y = schoolYearWindow('2026-11-23')
const yEarlier = schoolYearWindow('2025-11-23')
const YEARS = [y.current, y.previous, '2024-2025']
const LEVELS = ['red', 'orange', 'yellow', 'green', 'none'] as const
const STATES = ['open', 'intervening', 'monitoring', 'closed'] as const
const DAYS = ['2024-10-01', '2025-09-20', '2025-10-02', '2026-09-16', '2026-09-20', '2026-10-10']
const INSTRUMENTS = BUILT_IN_INSTRUMENTS.slice(0, 2).map((i) => i.id)
const PUPILS = 6

const pupil = fc.nat({ max: PUPILS - 1 })
const level = fc.constantFrom(...LEVELS)
const pick = fc.nat({ max: 1000 })

type Op =
  | { op: 'case'; pupil: number; level: string; state: string }
  | { op: 'caseUpdate'; pick: number; level: string | null; state: string }
  | { op: 'caseClose'; pick: number }
  | { op: 'caseCloseAll'; pupil: number }
  | { op: 'caseDelete'; pick: number }
  | { op: 'care'; pupils: number[]; level: string }
  | { op: 'careUpdate'; pick: number; level: string }
  | { op: 'careRemove'; pick: number }
  | { op: 'careDelete'; pick: number }
  | { op: 'screen'; pupil: number; campaign: number; instrument: number; level: string; day: number }
  | { op: 'confirm'; pick: number; level: string | null }
  | { op: 'screenDelete'; pick: number }
  | { op: 'screenDeleteAll'; campaign: number }
  | { op: 'campaignYear'; campaign: number; year: number }
  | { op: 'status'; pupil: number; status: string }
  | { op: 'classMove'; pupil: number; cls: number }
  | { op: 'rollover' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('case' as const), pupil, level, state: fc.constantFrom(...STATES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('caseUpdate' as const), pick, level: fc.option(level), state: fc.constantFrom(...STATES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('caseClose' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('caseCloseAll' as const), pupil }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('caseDelete' as const), pick }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('care' as const), pupils: fc.array(pupil, { minLength: 1, maxLength: 3 }), level }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('careUpdate' as const), pick, level }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('careRemove' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('careDelete' as const), pick }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('screen' as const), pupil, campaign: fc.nat({ max: 3 }), instrument: fc.nat({ max: 1 }), level, day: fc.nat({ max: DAYS.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('confirm' as const), pick, level: fc.option(level) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('screenDelete' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('screenDeleteAll' as const), campaign: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('campaignYear' as const), campaign: fc.nat({ max: 3 }), year: fc.nat({ max: YEARS.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('status' as const), pupil, status: fc.constantFrom('enrolled', 'left') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('classMove' as const), pupil, cls: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rollover' as const) }) },
)

type Risk = Pick<Aggregates, 'riskCurrent' | 'riskByYear'>
const canonical = (r: Risk) => ({
  current: r.riskCurrent.map((x) => `${x.schoolId}|${x.level}|${x.rank}|${x.n}|${x.key}`).sort(),
  byYear: r.riskByYear.map((x) => `${x.schoolYear}|${x.schoolId}|${x.level}|${x.rank}|${x.n}|${x.key}`).sort(),
})

t.test('kept risk values equal counting the records, on random histories', async (t) => {
  const { database } = await sharedTestApp()
  const { db } = database
  await ensureBuiltInInstruments(db)
  const secret = await cellKeySecret(db)

  /** One school per history: its pupils, three classes over two grades, four campaigns. */
  async function world() {
    const school = await createSchool(database)
    const s = school.schoolId
    const g8 = (await db.insert(grades).values({ schoolId: s, level: 8, name: '八年级' }).returning())[0]!.id
    const c3 = (await db.insert(classes).values({ schoolId: s, gradeId: g8, name: '八年级(1)班', seq: 1 }).returning())[0]!.id
    const classIds = [...school.classIds, c3]
    const pupils: string[] = []
    for (let i = 0; i < PUPILS; i++) {
      const [row] = await queryRows<{ id: string }>(db, sql`insert into students (school_id, student_no, name, gender, class_id)
        values (${s}, ${randomUUID().slice(0, 8)}, '甲', 'F', ${classIds[i % 3]}) returning id`)
      pupils.push(row!.id)
    }
    const campaigns: string[] = []
    for (let i = 0; i < 4; i++) {
      const [row] = await queryRows<{ id: string }>(db, sql`insert into screening_campaigns (school_id, name, school_year, instrument_ids, grade_levels, start_date, end_date)
        values (${s}, 'c', ${YEARS[i % 3]}, ${`{${INSTRUMENTS.join(',')}}`}::uuid[], '{7,8}', '2026-09-15', '2026-10-15') returning id`)
      campaigns.push(row!.id)
    }
    return { s, g7: school.gradeId, g8, classIds, pupils, campaigns }
  }

  const nth = async (ex: Executor, table: string, s: string, k: number): Promise<string | undefined> => {
    const rows = await queryRows<{ id: string }>(ex, sql`select id from ${sql.identifier(table)} where school_id = ${s} order by id`)
    return rows.length ? rows[k % rows.length]!.id : undefined
  }

  async function apply(w: Awaited<ReturnType<typeof world>>, o: Op) {
    const s = w.s
    switch (o.op) {
      case 'case':
        await db.execute(sql`insert into cases (school_id, student_id, source, risk_level, state, closed_at)
          values (${s}, ${w.pupils[o.pupil]}, 'other', ${o.level}, ${o.state}, ${o.state === 'closed' ? sql`now()` : sql`null`})`)
        return
      case 'caseUpdate': {
        const id = await nth(db, 'cases', s, o.pick)
        if (id) await db.execute(sql`update cases set state = ${o.state}, risk_level = coalesce(${o.level}, risk_level) where school_id = ${s} and id = ${id}`)
        return
      }
      case 'caseClose': {
        const id = await nth(db, 'cases', s, o.pick)
        // Closed by the timestamp alone: a case counts as open only with neither.
        if (id) await db.execute(sql`update cases set closed_at = now() where school_id = ${s} and id = ${id}`)
        return
      }
      case 'caseCloseAll':
        await db.execute(sql`update cases set state = 'closed', closed_at = now() where school_id = ${s} and student_id = ${w.pupils[o.pupil]}`)
        return
      case 'caseDelete': {
        const id = await nth(db, 'cases', s, o.pick)
        if (id) await db.execute(sql`delete from cases where school_id = ${s} and id = ${id}`)
        return
      }
      case 'care':
        await db.execute(sql`insert into care_list (school_id, student_id, risk_level)
          select ${s}, p, ${o.level} from unnest(${`{${o.pupils.map((i) => w.pupils[i]).join(',')}}`}::uuid[]) p`)
        return
      case 'careUpdate': {
        const id = await nth(db, 'care_list', s, o.pick)
        if (id) await db.execute(sql`update care_list set risk_level = ${o.level} where school_id = ${s} and id = ${id}`)
        return
      }
      case 'careRemove': {
        const id = await nth(db, 'care_list', s, o.pick)
        if (id) await db.execute(sql`update care_list set removed_at = now(), removed_reason = 'r' where school_id = ${s} and id = ${id}`)
        return
      }
      case 'careDelete': {
        const id = await nth(db, 'care_list', s, o.pick)
        if (id) await db.execute(sql`delete from care_list where school_id = ${s} and id = ${id}`)
        return
      }
      case 'screen':
        await db.execute(sql`insert into screening_responses (school_id, campaign_id, student_id, instrument_id, answers, total_score, band, suggested_risk, screened_on)
          values (${s}, ${w.campaigns[o.campaign]}, ${w.pupils[o.pupil]}, ${INSTRUMENTS[o.instrument]}, '{0}', 0, 'b', ${o.level}, ${DAYS[o.day]})
          on conflict do nothing`)
        return
      case 'confirm': {
        const id = await nth(db, 'screening_responses', s, o.pick)
        if (id) await db.execute(sql`update screening_responses set confirmed_risk = ${o.level} where school_id = ${s} and id = ${id}`)
        return
      }
      case 'screenDelete': {
        const id = await nth(db, 'screening_responses', s, o.pick)
        if (id) await db.execute(sql`delete from screening_responses where school_id = ${s} and id = ${id}`)
        return
      }
      case 'screenDeleteAll':
        await db.execute(sql`delete from screening_responses where school_id = ${s} and campaign_id = ${w.campaigns[o.campaign]}`)
        return
      case 'campaignYear':
        await db.execute(sql`update screening_campaigns set school_year = ${YEARS[o.year]} where school_id = ${s} and id = ${w.campaigns[o.campaign]}`)
        return
      case 'status':
        await db.execute(sql`update students set status = ${o.status} where school_id = ${s} and id = ${w.pupils[o.pupil]}`)
        return
      case 'classMove':
        await db.execute(sql`update students set class_id = ${w.classIds[o.cls]} where school_id = ${s} and id = ${w.pupils[o.pupil]}`)
        return
      case 'rollover':
        // 升年级: the grades move up a level (the classes keep their pupils and records).
        await db.execute(sql`update grades set level = level + 10 where school_id = ${s}`)
        await db.execute(sql`update grades set level = level - 9 where school_id = ${s}`)
        return
    }
  }

  const compare = async (s: string) => {
    const asOf = async (w: typeof y) => ({
      kept: canonical(await db.transaction((tx) => loadAggregates(tx, [s], w, secret))),
      records: canonical(riskTables(await riskFromRecords(db, [s], w, secret), w)),
    })
    const [today, earlier] = [await asOf(y), await asOf(yEarlier)]
    return { kept: { today: today.kept, earlier: earlier.kept }, records: { today: today.records, earlier: earlier.records } }
  }

  let histories = 0
  let checks = 0
  let nonEmpty = 0
  await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
    const w = await world()
    for (const [i, o] of ops.entries()) {
      await apply(w, o)
      if (i % 5 === 4 || i === ops.length - 1) {
        const { kept, records } = await compare(w.s)
        checks++
        if (records.today.current.some((c) => !c.includes('|0|'))) nonEmpty++
        if (JSON.stringify(kept) !== JSON.stringify(records)) {
          t.same(kept, records, `after ${JSON.stringify(ops.slice(0, i + 1))}`)
          return false
        }
      }
    }
    histories++
    return true
  }), { numRuns: 40, seed: 20261207 })
  t.equal(histories, 40, 'every history agreed')
  t.ok(nonEmpty > checks / 3, `most checks had pupils with a risk (${nonEmpty} of ${checks})`)
})

t.test('a pupil without a kept row (triggers off) is counted from the records', async (t) => {
  const { database } = await sharedTestApp()
  const { db } = database
  await ensureBuiltInInstruments(db)
  const secret = await cellKeySecret(db)
  const school = await createSchool(database)
  const s = school.schoolId
  const pupils = await queryRows<{ id: string }>(db, sql`insert into students (school_id, student_no, name, gender, class_id)
    select ${s}, 'n' || i, '甲', 'F', ${school.classIds[0]} from generate_series(1, 4) i returning id`)
  const [campaign] = await queryRows<{ id: string }>(db, sql`insert into screening_campaigns (school_id, name, school_year, instrument_ids, grade_levels, start_date, end_date)
    values (${s}, 'c', ${y.current}, ${`{${INSTRUMENTS[0]}}`}::uuid[], '{7}', '2026-09-15', '2026-10-15') returning id`)
  for (const [i, p] of pupils.entries()) {
    await db.execute(sql`insert into screening_responses (school_id, campaign_id, student_id, instrument_id, answers, total_score, band, suggested_risk, screened_on)
      values (${s}, ${campaign!.id}, ${p.id}, ${INSTRUMENTS[0]}, '{0}', 0, 'b', ${LEVELS[i]}, '2026-09-20')`)
  }
  await db.execute(sql`insert into cases (school_id, student_id, source, risk_level) values (${s}, ${pupils[3]!.id}, 'other', 'red')`)
  const before = canonical(await db.transaction((tx) => loadAggregates(tx, [s], y, secret)))
  const ranks = (r: { current: string[] }) => r.current.map((c) => c.split('|').slice(1, 4).join(':'))
  t.same(ranks(before), ['7:2:1', '7:3:1', '7:4:2'], 'yellow, orange, and red twice (the case outranks green)')
  const readsRecords = async () => (await sentBy(() => db.transaction((tx) => loadAggregates(tx, [s], y, secret)))).sent.some((q) => q.includes('screening_responses'))
  t.equal(await readsRecords(), false, 'kept rows that match the students: the school is not counted from its records')

  // Two pupils lose their rows, as after a restore with triggers off.
  await db.execute(sql`delete from student_cell_keys where school_id = ${s} and student_id in (${pupils[0]!.id}, ${pupils[3]!.id})`)
  t.equal(await readsRecords(), true, 'the enrolment check sees the missing rows')
  const after = await db.transaction((tx) => loadAggregates(tx, [s], y, secret))
  const records = riskTables(await riskFromRecords(db, [s], y, secret), y)
  t.same(canonical(after), canonical(records), 'the same tables as counting the records')
  t.same(ranks(canonical(after)), ranks(before), 'the same ranks and counts as before')

  // The next change to such a pupil's records brings the row back, keyed by the hashed id.
  await db.execute(sql`update cases set state = 'closed', closed_at = now() where school_id = ${s} and student_id = ${pupils[3]!.id}`)
  const [row] = await queryRows<{ open_rank: number | null; last_year: string | null; last_top: number | null; class_id: string; enrolled: boolean; hashed: boolean }>(db, sql`
    select k.open_rank, k.last_year, k.last_top, k.class_id, k.enrolled,
      k.cell_key = (('x' || substr(md5(${secret} || k.student_id::text), 1, 8))::bit(32)::bigint) as hashed
    from student_cell_keys k where k.school_id = ${s} and k.student_id = ${pupils[3]!.id}`)
  t.equal(row?.open_rank, null, 'no open case left')
  t.equal(row?.last_year, y.current, 'screened this school year')
  t.equal(row?.last_top, 1, 'green')
  t.same([row?.class_id, row?.enrolled], [school.classIds[0], true], 'with the class and enrolment of the pupil')
  t.equal(row?.hashed, true, 'the key the releases used for the pupil without a row')
  t.same(canonical(await db.transaction((tx) => loadAggregates(tx, [s], y, secret))), canonical(riskTables(await riskFromRecords(db, [s], y, secret), y)))

  // A kept row left behind by a class move or a withdrawal with triggers off: the school's
  // enrolment check disagrees, and the school is counted from its records.
  const g8 = (await db.insert(grades).values({ schoolId: s, level: 8, name: '八年级' }).returning())[0]!.id
  const c8 = (await db.insert(classes).values({ schoolId: s, gradeId: g8, name: '八年级(1)班', seq: 1 }).returning())[0]!.id
  const fresh = canonical(await db.transaction((tx) => loadAggregates(tx, [s], y, secret)))
  for (const stale of [sql`class_id = ${c8}`, sql`enrolled = false`]) {
    await db.execute(sql`update student_cell_keys set ${stale} where school_id = ${s} and student_id = ${pupils[1]!.id}`)
    t.same(canonical(await db.transaction((tx) => loadAggregates(tx, [s], y, secret))), fresh, 'the tables as before, from the records')
    await db.execute(sql`update student_cell_keys set class_id = ${school.classIds[0]}, enrolled = true where school_id = ${s} and student_id = ${pupils[1]!.id}`)
  }
})

t.test('the kept values are the owner\'s alone', async (t) => {
  const { database } = await sharedTestApp()
  const priv = await queryRows<{ s: boolean; u: boolean; f: boolean }>(database.db, sql`
    select has_table_privilege('xinan_app', 'student_cell_keys', 'select') as s,
      has_table_privilege('xinan_app', 'student_cell_keys', 'update') as u,
      has_function_privilege('xinan_app', 'student_risk_refresh(uuid[], uuid[])', 'execute') as f`)
  t.same(priv[0], { s: false, u: false, f: false }, 'no read or write of the table, no call of the refresh (the triggers call it as the owner)')
})

t.test('on a server the other tables are counted on a second connection, with the same result', async (t) => {
  const { database } = await sharedTestApp()
  const side = releaseSideLane(database, 0)
  if (database.kind === 'embedded') {
    t.equal(side, undefined, 'the embedded database has one connection: no side lane')
    return
  }
  const d = await generateDistrict(database, { schools: 3, students: 600, seed: 5, y, talks: true })
  const secret = await cellKeySecret(database.db)
  const alone = await database.db.transaction((tx) => loadAggregates(tx, d.schoolIds, y, secret))
  let used = 0
  const counted: SideLane = (work) => { used++; return side!(work) }
  const beside = await database.db.transaction((tx) => loadAggregates(tx, d.schoolIds, y, secret, counted))
  t.equal(used, 1, 'the side lane was used')
  t.ok(alone.talks.length > 0 && alone.riskCurrent.length > 0, 'talks and risk counted')
  t.same(beside, alone, 'the same aggregates')
  // A failure on the side lane fails the whole computation (and leaves nothing unheard).
  const broken: SideLane = () => Promise.reject(new Error('side lane down'))
  await t.rejects(database.db.transaction((tx) => loadAggregates(tx, d.schoolIds, y, secret, broken)), /side lane down/)
})
