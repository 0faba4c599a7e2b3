import { FULL_TIME_NEEDED, LARGE_SCHOOL_ENROLMENT, type SchoolStaffing } from '../practices/staffing.js'
import { suppress, type Constraint } from './suppression.js'
import type { Cell, SchoolInfo } from './tables.js'

/**
 * 心理健康教师配备 as a published table. A count of one person is that person's record (a
 * one-teacher school's "1 full-time" and its training hours are one teacher's), so counts of
 * exactly one are withheld like small student counts, with complementary suppression against
 * the district totals; training hours are withheld when they belong to one person. Staff
 * counts are not perturbed: they are not pupils, and a release freezes them anyway.
 */

export const STAFF_THRESHOLD = 1

const COUNTS = ['fullTime', 'partTime', 'certified'] as const
type CountKey = (typeof COUNTS)[number]

export interface StaffingSchoolRow extends SchoolInfo {
  fullTime: Cell; partTime: Cell; certified: Cell; trainingHours: Cell; largeSchool: boolean; ruleHolds: boolean
}
export interface StaffingDistrict {
  districtId: string
  schools: StaffingSchoolRow[]
  total: { schools: number; ruleHolds: number; fullTime: Cell; partTime: Cell; certified: Cell; trainingHours: Cell }
}
export interface StaffingTable {
  table: 'staffing'
  year: number
  largeSchoolEnrolment: number
  fullTimeNeeded: number
  threshold: number
  districts: StaffingDistrict[]
}

const shown = (value: number): Cell => ({ value, suppressed: false })
const withheld: Cell = { value: null, suppressed: true }

export function buildStaffingDistrict(districtId: string, schools: SchoolInfo[], rows: SchoolStaffing[]): StaffingDistrict {
  const byId = new Map(rows.map((r) => [r.schoolId, r]))
  const list = schools.flatMap((s) => (byId.has(s.schoolId) ? [{ s, r: byId.get(s.schoolId)! }] : []))
  const cells = new Map<string, number>()
  const constraints: Constraint[] = []
  for (const k of COUNTS) {
    for (const { s, r } of list) cells.set(`${k}|${s.schoolId}`, r[k])
    cells.set(`${k}|*`, list.reduce((a, { r }) => a + r[k], 0))
    constraints.push({ kind: 'eq', label: `staffing ${k}`, terms: [{ cell: `${k}|*`, coef: 1 }, ...list.map(({ s }) => ({ cell: `${k}|${s.schoolId}`, coef: -1 }))] })
  }
  const hidden = suppress(cells, constraints, STAFF_THRESHOLD).suppressed
  const count = (k: CountKey, school: string) => (hidden.has(`${k}|${school}`) ? withheld : shown(cells.get(`${k}|${school}`)!))

  // Hours: one person's are withheld; one withheld school among the rest would follow from the
  // district total, so then the smallest other non-zero school (or else the total) goes too.
  const hoursHidden = new Set(list.filter(({ r }) => r.trained === 1).map(({ s }) => s.schoolId))
  let totalHoursHidden = false
  if (hoursHidden.size === 1) {
    const partner = list.filter(({ s, r }) => !hoursHidden.has(s.schoolId) && r.trainingHours > 0)
      .sort((a, b) => a.r.trainingHours - b.r.trainingHours || a.s.code.localeCompare(b.s.code))[0]
    if (partner) hoursHidden.add(partner.s.schoolId); else totalHoursHidden = true
  }
  const hours = (r: SchoolStaffing, school: string) => (hoursHidden.has(school) ? withheld : shown(r.trainingHours))
  return {
    districtId,
    schools: list.map(({ s, r }) => ({
      ...s,
      fullTime: count('fullTime', s.schoolId), partTime: count('partTime', s.schoolId), certified: count('certified', s.schoolId),
      trainingHours: hours(r, s.schoolId), largeSchool: r.largeSchool, ruleHolds: r.ruleHolds,
    })),
    total: {
      schools: list.length,
      ruleHolds: list.filter(({ r }) => r.ruleHolds).length,
      fullTime: count('fullTime', '*'), partTime: count('partTime', '*'), certified: count('certified', '*'),
      trainingHours: totalHoursHidden ? withheld : shown(list.reduce((a, { r }) => a + r.trainingHours, 0)),
    },
  }
}

export const staffingRule = { largeSchoolEnrolment: LARGE_SCHOOL_ENROLMENT, fullTimeNeeded: FULL_TIME_NEEDED }
