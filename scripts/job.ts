/**
 * `npm run job -- <name> [--now <ISO instant> | --date YYYY-MM-DD]` runs one scheduled job
 * once against the configured database (DATABASE_URL, or the embedded one in DATA_DIR) and
 * prints its job_runs record. `npm run job -- list` lists the jobs. Safe while the server
 * runs on PostgreSQL (the job's advisory lock makes one of two concurrent runs 'skipped');
 * stop an embedded server first (one process per data folder).
 */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { atSchoolTime } from '../src/lib/school-day.js'
import { jobList, jobsByName } from '../src/jobs/jobs.js'
import { runJob } from '../src/jobs/runner.js'

const args = process.argv.slice(2)
const name = args.find((a) => !a.startsWith('--'))
const option = (flag: string) => {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

if (!name || name === 'list') {
  for (const j of jobList) console.log(`${j.name.padEnd(20)} ${j.schedule.padEnd(14)} ${j.description}`)
  process.exit(name ? 0 : 1)
}
const job = jobsByName.get(name)
if (!job) {
  console.error(`unknown job "${name}"; one of: ${jobList.map((j) => j.name).join(', ')}`)
  process.exit(1)
}
const nowArg = option('--now')
const dateArg = option('--date')
const now = nowArg ? new Date(nowArg) : dateArg ? atSchoolTime(dateArg, '12:00') : new Date()
if (Number.isNaN(now.getTime())) {
  console.error('--now takes an ISO instant, --date a YYYY-MM-DD day')
  process.exit(1)
}

const config = loadConfig()
const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  const started = performance.now()
  const r = await runJob(database, job, { now, config })
  console.log(JSON.stringify({ ...r, ms: Math.round(performance.now() - started) }, null, 2))
  process.exitCode = r.status === 'failed' ? 1 : 0
} finally {
  await database.close()
}
