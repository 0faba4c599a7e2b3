import { sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'
import { schoolDay } from '../../lib/school-day.js'

/**
 * The staffing rule the district table checks, as the inspection reports put it:
 * a school with at least this many enrolled students needs at least one full-time (专职)
 * psychology teacher. National guidance asks more of every school and provinces set their
 * own figures for large schools; change the threshold here and nowhere else.
 */
export const LARGE_SCHOOL_ENROLMENT = 1000
export const FULL_TIME_NEEDED = 1

export interface SchoolStaffing {
  schoolId: string
  schoolCode: string
  schoolName: string
  fullTime: number
  partTime: number
  /** Staff with at least one qualification on file (e.g. 心理咨询师 certificate). */
  certified: number
  /** Training hours of this school's psychology staff in `year`. */
  trainingHours: number
  /** How many staff those hours belong to: one person's hours are that person's record. */
  trained: number
  /** Enrolment at or above LARGE_SCHOOL_ENROLMENT; the count itself is not returned. */
  largeSchool: boolean
  /** Small schools always pass; large ones need FULL_TIME_NEEDED full-time staff. */
  ruleHolds: boolean
}

/**
 * 心理健康教师基本情况 per school of a district: counts only, never a profile or a name.
 * Runs across schools, so it needs an executor that is not confined to one school's wall —
 * the owner connection, as the district tables' own queries use (src/modules/district).
 */
export async function staffingBySchool(ex: Executor, districtId: string,
  opts: ({ year: number } | { timeZone: string }) & { enrolled?: ReadonlyMap<string, number> }): Promise<SchoolStaffing[]> {
  // Without a year: this calendar year in the schools' zone (TZ_SCHOOL).
  const year = 'year' in opts ? opts.year : Number(schoolDay(new Date(), opts.timeZone).slice(0, 4))
  // Enrolment per school, unless the caller has just counted it (a release: its aggregates).
  const enrolled = opts.enrolled ? sql`null::bigint` : sql`(select count(*) from students st where st.school_id = s.id and st.status = 'enrolled')`
  const rows = await queryRows<{
    id: string; code: string; name: string; full_time: number | string; part_time: number | string; certified: number | string
    hours: number | string; trained: number | string; enrolled: number | string | null
  }>(ex, sql`
    select s.id, s.code, s.name,
      count(p.id) filter (where p.employment = 'full_time') as full_time,
      count(p.id) filter (where p.employment = 'part_time') as part_time,
      count(p.id) filter (where cardinality(p.qualifications) > 0) as certified,
      coalesce(sum(p.training_hours_year) filter (where p.training_year = ${year}), 0) as hours,
      count(p.id) filter (where p.training_year = ${year} and p.training_hours_year > 0) as trained,
      ${enrolled} as enrolled
    from schools s
    left join staff_profiles p on p.school_id = s.id
    where s.district_id = ${districtId}
    group by s.id, s.code, s.name
    order by s.code`)
  return rows.map((r) => {
    const fullTime = Number(r.full_time)
    const largeSchool = (opts.enrolled ? opts.enrolled.get(r.id) ?? 0 : Number(r.enrolled)) >= LARGE_SCHOOL_ENROLMENT
    return {
      schoolId: r.id,
      schoolCode: r.code,
      schoolName: r.name,
      fullTime,
      partTime: Number(r.part_time),
      certified: Number(r.certified),
      trainingHours: Number(r.hours),
      trained: Number(r.trained),
      largeSchool,
      ruleHolds: !largeSchool || fullTime >= FULL_TIME_NEEDED,
    }
  })
}
