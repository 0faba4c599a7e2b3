import { applyRetention } from './retention.js'
import { escalateUnacknowledged } from './escalation.js'
import { flagOverdueReferrals } from './referral-followups.js'
import { generateTalkDuties, markOverdueDuties } from './talk-duties.js'
import { remindScreening } from './screening-reminder.js'
import { verifyAuditNightly } from './audit-verify.js'
import { releaseDistrictFigures } from './district-release.js'
import { notifyOverdueRectifications } from './rectification-overdue.js'
import { remindPendingTransfers } from './transfer-reminder.js'
import { vacuumUnattended } from './vacuum.js'
import type { JobDefinition } from './runner.js'

/**
 * Every scheduled job, by the name the CLI takes (`npm run job -- <name>`). Schedules are in
 * the schools' time zone (TZ_SCHOOL, Asia/Shanghai): the nightly ones run before school,
 * escalation every five minutes because a crisis does not wait for a school day.
 */
export const jobList: JobDefinition[] = [
  {
    name: 'generate-duties',
    schedule: '10 1 * * *',
    description: '三个必谈: generate talk duties for the windows current today; fulfil them from logs already written',
    run: async ({ tx, today }) => ({ ...(await generateTalkDuties(tx, { today })) }),
  },
  {
    name: 'mark-overdue',
    schedule: '20 1 * * *',
    description: 'mark open talk duties past their due day as overdue',
    run: async ({ tx, today }) => ({ ...(await markOverdueDuties(tx, { today })) }),
  },
  {
    name: 'escalate',
    schedule: '*/5 * * * *',
    description: 'escalate crisis events and peer alerts not acknowledged by their deadline',
    run: escalateUnacknowledged,
  },
  {
    name: 'referral-followups',
    schedule: '30 7 * * *',
    description: 'flag referrals whose follow-up date has passed to the psychology teachers',
    run: flagOverdueReferrals,
  },
  {
    name: 'rectification-overdue',
    schedule: '40 7 * * *',
    description: '督导整改: tell the school admins of each problem past its deadline, once',
    run: notifyOverdueRectifications,
  },
  {
    name: 'transfer-reminder',
    schedule: '45 7 * * *',
    description: '转学档案: remind both schools of a package not accepted within five school days, once',
    run: remindPendingTransfers,
  },
  {
    name: 'screening-reminder',
    schedule: '0 8 * * *',
    description: 'remind psychology teachers about the annual screening campaign',
    run: remindScreening,
  },
  {
    name: 'verify-audit',
    schedule: '30 2 * * *',
    description: 'verify the audit hash chain; notify school admins when it is broken',
    run: verifyAuditNightly,
  },
  {
    name: 'district-release',
    schedule: '0 6 * * *',
    description: '区级数据发布: the monthly release of the district figures on the first school day of the month',
    run: releaseDistrictFigures,
  },
  {
    name: 'vacuum',
    schedule: '50 2 * * *',
    description: 'VACUUM (ANALYZE) of the embedded database, which never runs it by itself, or of a server whose autovacuum is off (where autovacuum runs, this does nothing)',
    upkeep: vacuumUnattended,
  },
  {
    name: 'retention',
    schedule: '0 3 * * *',
    description: 'archive and purge records of students who left or graduated, per the retention settings',
    run: applyRetention,
  },
]

export const jobsByName: ReadonlyMap<string, JobDefinition> = new Map(jobList.map((j) => [j.name, j]))
