/**
 * Runs one benchmark section in its own process (the orchestrator, scripts/bench/index.ts,
 * starts one per section and database, so RSS figures, leftovers and crashes stay apart).
 *
 *   node --import tsx scripts/bench/run-section.ts <section> [--quick] [--students N --schools N]
 *
 * BENCH_DATABASE_URL: the (scratch) server database; absent = embedded. The metrics go back
 * over the IPC channel when there is one, else to stdout as JSON.
 */
import { sectionByKey } from './sections.js'

const key = process.argv[2] ?? ''
const section = sectionByKey.get(key)
if (!section) {
  process.stderr.write(`unknown section "${key}"; one of: ${[...sectionByKey.keys()].join(', ')}\n`)
  process.exit(2)
}
const url = process.env.BENCH_DATABASE_URL || undefined
const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : undefined
}
const students = arg('--students')
const scale = students ? { students, schools: arg('--schools') ?? Math.max(1, Math.round(students / 1_000)) } : undefined
const metrics = await section.run({ quick: process.argv.includes('--quick'), url, scale })
if (process.send) {
  await new Promise<void>((ok, fail) => process.send!({ metrics }, (err: Error | null) => (err ? fail(err) : ok())))
} else {
  process.stdout.write(JSON.stringify({ metrics }, null, 2) + '\n')
}
// Pools or timers a section left behind must not keep the run waiting.
process.exit(0)
