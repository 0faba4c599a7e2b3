import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'
import { cellKeySum, KEY_SPACE, recordKey } from './cell-key.js'

/**
 * The aggregate queries behind the district tables. Each returns GROUP BY counts
 * only: no student id, name or per-student row ever leaves SQL. They run as the owner in one
 * read-only snapshot (the app role's row-level security is per school), over the school ids
 * the caller's district decision reached.
 */

export interface SchoolYearWindow {
  current: string
  previous: string
  /** First and last calendar day of the current school year. */
  start: string
  end: string
  today: string
}

export interface Aggregates {
  grades: Array<{ schoolId: string; level: number }>
  /** Enrolled students by current risk: 4 red … 1 green, 0 unassessed. */
  riskCurrent: Array<{ schoolId: string; level: number; rank: number; n: number; key: number }>
  /** Enrolled students screened in a school year, by their highest risk that year. */
  riskByYear: Array<{ schoolYear: string; schoolId: string; level: number; rank: number; n: number; key: number }>
  talks: Array<{ schoolId: string; kind: string; windowKey: string; status: string; n: number; key: number }>
  activities: Array<{ schoolId: string; kind: string; n: number; attendance: number; key: number }>
  referrals: Array<{ schoolId: string | null; sent: number; received: number; closed: number; medianDays: number | null; keys?: { sent: number; received: number; closed: number } }>
  crisis: Array<{ schoolId: string; due: number; onTime: number; keys?: { due: number; onTime: number } }>
  /** Enrolled pupils per school, counted from students (loadAggregates gives it; the tables do not use it). */
  enrolled?: ReadonlyMap<string, number>
}

/**
 * Risk levels as ranks, highest first (红 高危 = 4 … 绿 一般 = 1); null for anything else: the
 * database's risk_rank, which the kept risk state uses too. It is inlined as a CASE rather than
 * a join on a VALUES list: the planner then keeps its row estimates, and picks hash joins over a
 * nested loop per response (measured: 10× on 10,000 students).
 */
const rank = (level: SQL) => sql`risk_rank(${level})`

function idArray(ids: readonly string[]): SQL {
  return sql`${'{' + ids.join(',') + '}'}::uuid[]`
}

/**
 * Enrolled students with the level of their current grade (read now, so a rollover or a class
 * change counts at once) and their cell key: the stored one (student_cell_keys), or for a pupil
 * written without one (a restore with triggers off) the keyed hash of the id that stored keys of
 * older pupils equal.
 */
function enrolled(ids: SQL, secret: string): SQL {
  return sql`select s.school_id, s.id, g.level, coalesce(k.cell_key, ${recordKey(secret, sql`s.id`)}) as cell_key
    from students s
    join classes c on c.school_id = s.school_id and c.id = s.class_id
    join grades g on g.school_id = c.school_id and g.id = c.grade_id
    left join student_cell_keys k on k.school_id = s.school_id and k.student_id = s.id
    where s.school_id = any(${ids}) and s.status = 'enrolled'`
}

const int = (v: unknown) => Number(v)

/** A cell's key from per-record keys already computed (as cellKeySum does from the ids). */
const keySum = (k: SQL) => sql`(coalesce(sum(${k}), 0) % ${KEY_SPACE})`

type RiskRow = { g: number; school_id: string; level: number; r: number | null; y_cur: number | null; y_prev: number | null; n: number; k: string; h?: string | null }

/**
 * Both risk tables from the kept rows alone (student_cell_keys: class, enrolment, open_rank and
 * the two latest screened years), one row per enrolled pupil and no student, case, care-list
 * entry or screening read. Current risk: the highest of the open cases and active care-list
 * entries; without either, the latest screening of this school year. By year: the highest
 * screening that year. A pupil whose kept years do not cover this and last school year (a later
 * year is kept, as for a release of an earlier date) comes back with rank −1; and per school
 * (grouping 15) the enrolled pupils' count and enrolment hash, which `enrolment` gives from
 * students — a school where either disagrees or a rank is −1 is counted from its records.
 */
function riskFromKept(ex: Executor, ids: SQL, y: SchoolYearWindow): Promise<RiskRow[]> {
  const cur = sql`${y.current}::text`
  const prev = sql`${y.previous}::text`
  return queryRows<RiskRow>(ex, sql`
    with p as (
      select k.school_id, g.level, k.cell_key as k, student_enrolment_hash(k.student_id, k.class_id) as h,
        case when k.last_year is null or k.last_year <= ${prev}
            or (k.last_year = ${cur} and (k.prior_year is null or k.prior_year <= ${prev}))
          then coalesce(k.open_rank, case when k.last_year = ${cur} then k.last_latest % 8 end, 0)
          else -1 end as r,
        case when k.last_year = ${cur} then k.last_top end as y_cur,
        case when k.last_year = ${prev} then k.last_top when k.last_year = ${cur} and k.prior_year = ${prev} then k.prior_top end as y_prev
      from student_cell_keys k
      join classes c on c.school_id = k.school_id and c.id = k.class_id
      join grades g on g.school_id = c.school_id and g.id = c.grade_id
      where k.school_id = any(${ids}) and k.enrolled
    )
    select grouping(level, r, y_cur, y_prev) as g, school_id, level, r, y_cur, y_prev, count(*) as n, ${keySum(sql`k`)} as k, sum(h) as h
    from p group by grouping sets ((school_id, level, r), (school_id, level, y_cur), (school_id, level, y_prev), (school_id))`)
}

/** Per school, its enrolled pupils' count and enrolment hash from students (riskFromKept's check). */
function enrolment(ex: Executor, ids: SQL): Promise<Array<{ school_id: string; n: number; h: string | null }>> {
  return queryRows(ex, sql`
    select school_id, count(*) as n, sum(student_enrolment_hash(id, class_id)) as h
    from students where school_id = any(${ids}) and status = 'enrolled' group by 1`)
}

/**
 * Both risk tables counted from the records themselves: every open case, active care-list entry
 * and screening of the two school years, grouped per student. The kept values must give exactly
 * this (test/district/risk-state.test.ts); releases use it only for a school whose kept rows
 * do not match its students (loadAggregates).
 * One row per student, case, care-list entry and screening, grouped by student in one hash
 * aggregate (no joins of per-student results, no sort): the latest screening is the highest
 * day·8 + level, i.e. the latest day and the higher level on a tie. Then the three tables in
 * one pass (grouping sets).
 */
export function riskFromRecords(ex: Executor, schoolIds: readonly string[], y: SchoolYearWindow, secret: string): Promise<RiskRow[]> {
  const ids = idArray(schoolIds)
  const screened = rank(sql`coalesce(x.confirmed_risk, x.suggested_risk)`)
  return queryRows<RiskRow>(ex, sql`
    with ev as (
      select e.school_id, e.id as student_id, e.level, e.cell_key as k,
        null::int as cur, null::int as y_cur, null::int as y_prev, null::int as latest
      from (${enrolled(ids, secret)}) e
      union all
      select x.school_id, x.student_id, null, null, ${rank(sql`x.risk_level`)}, null, null, null from cases x
      where x.school_id = any(${ids}) and x.state <> 'closed' and x.closed_at is null
      union all
      select x.school_id, x.student_id, null, null, ${rank(sql`x.risk_level`)}, null, null, null from care_list x
      where x.school_id = any(${ids}) and x.removed_at is null
      union all
      select x.school_id, x.student_id, null, null, null,
        case when k.school_year = ${y.current} then s.r end,
        case when k.school_year = ${y.previous} then s.r end,
        case when k.school_year = ${y.current} then (x.screened_on - date '1900-01-01') * 8 + s.r end
      from screening_responses x
      join screening_campaigns k on k.school_id = x.school_id and k.id = x.campaign_id
      cross join lateral (select ${screened} as r) s
      where x.school_id = any(${ids}) and k.school_year in (${y.current}, ${y.previous})
    ),
    p as (
      select school_id, max(level) as level, max(k) as k,
        coalesce(max(cur), max(latest) % 8, 0) as r, max(y_cur) as y_cur, max(y_prev) as y_prev
      from ev group by school_id, student_id
      having max(level) is not null
    )
    select grouping(r, y_cur, y_prev) as g, school_id, level, r, y_cur, y_prev, count(*) as n, ${keySum(sql`k`)} as k
    from p group by grouping sets ((school_id, level, r), (school_id, level, y_cur), (school_id, level, y_prev))`)
}

/** The grouping-set rows as the two risk tables (rows of a table's missing level are dropped). */
export function riskTables(risk: readonly RiskRow[], y: SchoolYearWindow): Pick<Aggregates, 'riskCurrent' | 'riskByYear'> {
  // grouping(): 3 = by current risk, 5 = by this year's highest, 6 = by last year's highest.
  const riskCurrent = risk.filter((r) => int(r.g) === 3).map((r) => ({ ...r, r: r.r! }))
  const riskByYear = [
    ...risk.filter((r) => int(r.g) === 5 && r.y_cur !== null).map((r) => ({ ...r, school_year: y.current, r: r.y_cur! })),
    ...risk.filter((r) => int(r.g) === 6 && r.y_prev !== null).map((r) => ({ ...r, school_year: y.previous, r: r.y_prev! })),
  ]
  return {
    riskCurrent: riskCurrent.map((r) => ({ schoolId: r.school_id, level: int(r.level), rank: int(r.r), n: int(r.n), key: int(r.k) })),
    riskByYear: riskByYear.map((r) => ({ schoolYear: r.school_year, schoolId: r.school_id, level: int(r.level), rank: int(r.r), n: int(r.n), key: int(r.k) })),
  }
}

/**
 * A second connection for the statements that do not need the first one's results (a
 * server's pool; the embedded database has one connection, so none): given a function, runs it
 * in a transaction of its own there. Every statement reads its own snapshot either way (the
 * release's transaction is READ COMMITTED), so splitting them changes what they see no more
 * than their order does.
 */
export type SideLane = <T>(work: (ex: Executor) => Promise<T>) => Promise<T>

/** Both promises' values; the first failure once both have settled (no rejection left unheard). */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b])
  if (x.status === 'rejected') throw x.reason
  if (y.status === 'rejected') throw y.reason
  return [x.value, y.value]
}

/**
 * `secret` keys the cell-key method (cell-key.ts): every count comes with the sum of its
 * records' keys, computed here so no per-record key leaves SQL either. Students and talk
 * duties, the two large tables, have their keys stored (student_cell_keys, talk_duties.cell_key);
 * the smaller tables' keys are hashed from their ids with the secret. With `side`, the risk
 * tables are counted on `ex` while the other tables are counted on the side lane, at once.
 */
export async function loadAggregates(ex: Executor, schoolIds: readonly string[], y: SchoolYearWindow, secret = '', side?: SideLane): Promise<Aggregates> {
  const ids = idArray(schoolIds)
  // For the rest of the transaction (a release is computed in its own): the aggregates' sorts
  // and hashes fit in memory rather than spilling to disk, and no JIT compilation (it cost the
  // server more than it saved on these one-pass scans). No sorts where hashing will do: the
  // planner guesses the kept rows' join with classes at a few hundred rows (there is one per
  // pupil) and sorts every pupil for one of riskFromKept's grouping sets, a third of its time
  // on a server (measured: 157–200 ms against 103–120 ms hashed, 100,000 pupils). A sort no
  // hash can replace (ORDER BY) still runs. Outside a transaction this sets nothing.
  const tune = (x: Executor) => x.execute(sql`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true), set_config('enable_sort', 'off', true)`)
  await tune(ex)

  const riskPart = async () => ({
    grades: await queryRows<{ school_id: string; level: number }>(ex, sql`
      select school_id, level from grades where school_id = any(${ids})`),
    keptRows: await riskFromKept(ex, ids, y),
  })
  const otherPart = async (x: Executor) => {
    if (x !== ex) await tune(x)
    const enrolled = await enrolment(x, ids)
    const talks = await queryRows<{ school_id: string; kind: string; window_key: string; status: string; n: number; k: string }>(x, sql`
      select school_id, kind, window_key, status, count(*) as n, ${keySum(sql`cell_key`)} as k
      from talk_duties
      where school_id = any(${ids}) and window_start >= ${y.start}::date and window_start <= ${y.today}::date
      group by 1, 2, 3, 4`)

    const activities = await queryRows<{ school_id: string; kind: string; n: number; attendance: number; k: string }>(x, sql`
      select school_id, kind, count(*) as n, coalesce(sum(attendance), 0) as attendance, ${cellKeySum(secret, sql`id`)} as k
      from home_school_activities
      where school_id = any(${ids}) and activity_date between ${y.start}::date and ${y.end}::date
      group by 1, 2`)

    // Referrals sent this school year: receipt (回执), closure, and days from sending to receipt.
    const referrals = await queryRows<{ school_id: string | null; sent: number; received: number; closed: number; median_days: number | null; k_sent: string; k_received: string; k_closed: string }>(x, sql`
      with r as (
        select id, school_id, received_on, closed_at, state, (sent_at at time zone 'Asia/Shanghai')::date as sent_day
        from referrals
        where school_id = any(${ids}) and sent_at is not null
          and (sent_at at time zone 'Asia/Shanghai')::date between ${y.start}::date and ${y.end}::date
      )
      select school_id, count(*) as sent, count(received_on) as received,
        count(*) filter (where closed_at is not null or state = 'closed') as closed,
        percentile_cont(0.5) within group (order by (received_on - sent_day)) filter (where received_on is not null) as median_days,
        ${cellKeySum(secret, sql`id`)} as k_sent, ${cellKeySum(secret, sql`id`, sql`received_on is not null`)} as k_received,
        ${cellKeySum(secret, sql`id`, sql`closed_at is not null or state = 'closed'`)} as k_closed
      from r group by grouping sets ((school_id), ())`)

    // Crisis events of this school year whose acknowledgement was due (deadline passed or acknowledged).
    const crisis = await queryRows<{ school_id: string; due: number; on_time: number; k_due: string; k_on_time: string }>(x, sql`
      select school_id, count(*) as due,
        count(*) filter (where acknowledged_at is not null and acknowledged_at <= ack_deadline) as on_time,
        ${cellKeySum(secret, sql`id`)} as k_due, ${cellKeySum(secret, sql`id`, sql`acknowledged_at is not null and acknowledged_at <= ack_deadline`)} as k_on_time
      from crisis_events
      where school_id = any(${ids})
        and (opened_at at time zone 'Asia/Shanghai')::date between ${y.start}::date and ${y.end}::date
        and (ack_deadline <= now() or acknowledged_at is not null)
      group by 1`)
    return { enrolled, talks, activities, referrals, crisis }
  }
  const [{ grades, keptRows }, { enrolled, talks, activities, referrals, crisis }] = side
    ? await both(riskPart(), side(otherPart))
    : [await riskPart(), await otherPart(ex)]

  // Both risk tables from the kept rows. A school whose kept rows disagree with its students (a
  // pupil written, moved or withdrawn with triggers off) or do not cover these school years
  // (rank −1) is counted from its records instead, all of it.
  const check = (n: unknown, h: string | null | undefined) => `${int(n)}|${h ?? ''}`
  const fromStudents = new Map(enrolled.map((r) => [r.school_id, check(r.n, r.h)]))
  const fromKept = new Map(keptRows.filter((r) => int(r.g) === 15).map((r) => [r.school_id, check(r.n, r.h)]))
  const recount = new Set<string>()
  for (const id of new Set([...fromStudents.keys(), ...fromKept.keys()])) if (fromStudents.get(id) !== fromKept.get(id)) recount.add(id)
  for (const r of keptRows) if (int(r.g) === 3 && r.r !== null && int(r.r) === -1) recount.add(r.school_id)
  const kept = riskTables(keptRows.filter((r) => !recount.has(r.school_id)), y)
  const fallback = recount.size ? riskTables(await riskFromRecords(ex, [...recount], y, secret), y) : { riskCurrent: [], riskByYear: [] }
  const riskCurrent = [...kept.riskCurrent, ...fallback.riskCurrent]
  const riskByYear = [...kept.riskByYear, ...fallback.riskByYear]

  return {
    grades: grades.map((r) => ({ schoolId: r.school_id, level: int(r.level) })),
    riskCurrent,
    riskByYear,
    talks: talks.map((r) => ({ schoolId: r.school_id, kind: r.kind, windowKey: r.window_key, status: r.status, n: int(r.n), key: int(r.k) })),
    activities: activities.map((r) => ({ schoolId: r.school_id, kind: r.kind, n: int(r.n), attendance: int(r.attendance), key: int(r.k) })),
    referrals: referrals.map((r) => ({
      schoolId: r.school_id, sent: int(r.sent), received: int(r.received), closed: int(r.closed),
      medianDays: r.median_days === null ? null : Number(r.median_days),
      ...(secret ? { keys: { sent: int(r.k_sent), received: int(r.k_received), closed: int(r.k_closed) } } : {}),
    })),
    crisis: crisis.map((r) => ({ schoolId: r.school_id, due: int(r.due), onTime: int(r.on_time), ...(secret ? { keys: { due: int(r.k_due), onTime: int(r.k_on_time) } } : {}) })),
    enrolled: new Map(enrolled.map((r) => [r.school_id, int(r.n)])),
  }
}
