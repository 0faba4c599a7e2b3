import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../db/database.js'
import { DEFAULT_RULES, DutyKinds } from '../modules/talks/rules.js'
import { fulfilDuties } from '../modules/talks/fulfilment.js'

/**
 * The rules in force per school and kind: the school's own row, or the default for a kind
 * the school has not set. An inactive rule generates nothing.
 */
function effectiveRules() {
  const defaults = sql.join(DutyKinds.map((k) => {
    const d = DEFAULT_RULES[k]
    return sql`(${k}::text, ${d.target}::text, ${d.withinSchoolDays}::int)`
  }), sql`, `)
  return sql`
    rules as (
      select s.id as school_id, d.kind, coalesce(r.target, d.target) as target,
        coalesce(r.within_school_days::int, d.within_days, 1) as within_days
      from schools s
      cross join (values ${defaults}) as d(kind, target, within_days)
      left join talk_rules r on r.school_id = s.id and r.kind = d.kind
      where coalesce(r.active, true)
    )`
}

/**
 * Every window that overlaps [from, today] by the school calendar:
 * - semester: each term, due on its last day, key "<school year>-<semester>";
 * - monthly: each calendar month inside a term, clipped to the term, key "YYYY-MM";
 * - holiday_return: the first school day after a major holiday up to the N-th school day
 *   from it, key "holiday:<return day>". Keyed on the return day, so 春节 inside 寒假
 *   (both major, same return) make one duty, not two.
 * A school day is a weekday inside a term and outside every holiday of the school. Make-up
 * working days (调休) are not in the calendar model, so they do not count.
 */
function windows(today: string, from: string) {
  return sql`
    cur_terms as (
      select t.school_id, t.school_year, t.semester, t.start_date, t.end_date
      from terms t where t.start_date <= ${today}::date and t.end_date >= ${from}::date
    ),
    school_days as (
      select t.school_id, g::date as day, row_number() over (partition by t.school_id order by g) as n
      from terms t
      cross join lateral generate_series(t.start_date::timestamp, t.end_date::timestamp, interval '1 day') g
      where t.end_date >= ${from}::date - 120 and t.start_date <= ${today}::date + 120
        and extract(isodow from g) < 6
        and not exists (select 1 from holidays h where h.school_id = t.school_id and g::date between h.start_date and h.end_date)
    ),
    returns as (
      select h.school_id, min(sd.n) as n0
      from holidays h
      join school_days sd on sd.school_id = h.school_id and sd.day > h.end_date
      where h.major and h.end_date >= ${from}::date - 60 and h.end_date < ${today}::date
      group by h.school_id, h.id
    ),
    windows as (
      select school_id, 'semester'::text as kind, school_year || '-' || semester as window_key,
        start_date as window_start, end_date as due_date
      from cur_terms
      union all
      select t.school_id, 'monthly', to_char(m, 'YYYY-MM'),
        greatest(m::date, t.start_date), least((m + interval '1 month' - interval '1 day')::date, t.end_date)
      from cur_terms t
      cross join lateral generate_series(date_trunc('month', t.start_date::timestamp), date_trunc('month', t.end_date::timestamp), interval '1 month') m
      union all
      select distinct r.school_id, 'holiday_return', 'holiday:' || to_char(s0.day, 'YYYY-MM-DD'), s0.day,
        coalesce(s1.day, (select max(z.day) from school_days z where z.school_id = r.school_id))
      from returns r
      join rules ru on ru.school_id = r.school_id and ru.kind = 'holiday_return'
      join school_days s0 on s0.school_id = r.school_id and s0.n = r.n0
      left join school_days s1 on s1.school_id = r.school_id and s1.n = r.n0 + greatest(ru.within_days, 1) - 1
    )`
}

/** The one statement that creates the duties of [from, today]; returns how many it created. */
export function insertDutiesSql(today: string, from: string): SQL {
  return sql`
    with ${effectiveRules()}, ${windows(today, from)},
    candidates as (
      select w.school_id, s.id as student_id, s.class_id, w.kind, w.window_key, w.window_start, w.due_date
      from windows w
      join rules ru on ru.school_id = w.school_id and ru.kind = w.kind
      join students s on s.school_id = w.school_id and s.status = 'enrolled'
      where w.window_start <= ${today}::date and w.due_date >= ${from}::date
        and (ru.target = 'all' or exists (
          select 1 from care_list c where c.school_id = s.school_id and c.student_id = s.id and c.removed_at is null))
    ),
    -- On most nights nearly every candidate exists already. EXCEPT reads both sides whole
    -- before it answers, so it compares against the table as it was (a per-row NOT EXISTS
    -- would re-scan a table this very statement is growing); ON CONFLICT still settles a
    -- race with a concurrent run.
    missing as (
      select school_id, student_id, kind, window_key from candidates
      except
      select d.school_id, d.student_id, d.kind, d.window_key from talk_duties d
      where d.window_key in (select window_key from windows)
    ),
    ins as (
      insert into talk_duties (school_id, student_id, class_id, kind, window_key, window_start, due_date)
      select c.school_id, c.student_id, c.class_id, c.kind, c.window_key, c.window_start, c.due_date
      from candidates c join missing m using (school_id, student_id, kind, window_key)
      -- In key order: each index page and each student's key row is then visited once in a
      -- run rather than at random (the unique index and the foreign-key checks).
      order by c.school_id, c.student_id, c.kind, c.window_key
      on conflict (school_id, student_id, kind, window_key) do nothing
      returning 1
    )
    select count(*) as n from ins`
}

export interface GenerateCounts {
  created: number
  fulfilled: number
  movedClass: number
  cancelled: number
}

/**
 * Generates the duties (student × window) of every window current on `today` — or, with
 * `from`, of every window overlapping [from, today] (demo data, catching up) — in one
 * INSERT … SELECT … ON CONFLICT DO NOTHING: set-based, idempotent, safe to repeat.
 * Then open duties follow a student who changed class, open duties of students who left are
 * dropped, and logs written before their duty existed fulfil it.
 */
export async function generateTalkDuties(ex: Executor, opts: { today: string; from?: string }): Promise<GenerateCounts> {
  const today = opts.today
  const from = opts.from ?? opts.today
  // For the job's transaction: the candidate sets hash in memory, and no JIT compilation (on
  // the server it cost more than it saved on this one-pass statement). Outside a transaction
  // this sets nothing.
  await ex.execute(sql`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`)
  const created = await queryRows<{ n: string | number }>(ex, insertDutiesSql(today, from))
  const moved = await queryRows<{ n: string | number }>(ex, sql`
    with upd as (
      update talk_duties d set class_id = s.class_id
      from students s
      where s.school_id = d.school_id and s.id = d.student_id and d.status = 'open' and d.class_id <> s.class_id
      returning 1
    ) select count(*) as n from upd`)
  const cancelled = await queryRows<{ n: string | number }>(ex, sql`
    with del as (
      delete from talk_duties d using students s
      where s.school_id = d.school_id and s.id = d.student_id and d.status = 'open' and s.status <> 'enrolled'
      returning 1
    ) select count(*) as n from del`)
  const fulfilled = await fulfilDuties(ex)
  return {
    created: Number(created[0]!.n),
    fulfilled: fulfilled.length,
    movedClass: Number(moved[0]!.n),
    cancelled: Number(cancelled[0]!.n),
  }
}

/** An open duty whose due day has passed is overdue; a late talk can still fulfil it (done_late). */
export async function markOverdueDuties(ex: Executor, opts: { today: string }): Promise<{ overdue: number }> {
  const rows = await queryRows<{ n: string | number }>(ex, sql`
    with upd as (
      update talk_duties set status = 'overdue' where status = 'open' and due_date < ${opts.today}::date returning 1
    ) select count(*) as n from upd`)
  return { overdue: Number(rows[0]!.n) }
}
