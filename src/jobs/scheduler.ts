import cron, { type ScheduledTask } from 'node-cron'
import type { FastifyInstance } from 'fastify'
import { jobList } from './jobs.js'
import { runJob } from './runner.js'

/**
 * Schedules every job with node-cron in the schools' time zone and stops them when the app
 * closes. Each instance of the server schedules them; the per-job advisory lock makes the
 * second instance's run a recorded 'skipped'. Tests never start this: they call the jobs.
 */
export function startScheduler(app: FastifyInstance): ScheduledTask[] {
  const { config, database } = app
  const log = app.log.child({ module: 'jobs' })
  const tasks = jobList.map((job) => cron.schedule(job.schedule, async () => {
    const r = await runJob(database, job, { now: new Date(), config })
    if (r.status === 'failed') log.error({ job: r.job, run: r.id, error: r.error }, 'job failed')
    else log.info({ job: r.job, run: r.id, status: r.status, counts: r.counts }, 'job finished')
  }, { name: job.name, timezone: config.TZ_SCHOOL, noOverlap: true }))
  app.addHook('onClose', async () => {
    for (const t of tasks) await t.stop()
  })
  log.info({ jobs: jobList.map((j) => j.name) }, 'jobs scheduled')
  return tasks
}
