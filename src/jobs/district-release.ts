import { runScheduledReleases } from '../modules/district/release.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * 区级数据发布 on the schedule: every district gets its monthly release on the first school day
 * of the month (per its schools' calendar; the 1st without one). Run every morning: a month's
 * release is made once, and a morning the server was down is caught up the next day.
 */
export async function releaseDistrictFigures({ tx, today, database }: JobContext): Promise<JobCounts> {
  return { ...(await runScheduledReleases(tx, today, database)) }
}
