/**
 * Which test files cost CI its time: ranks the files of a tap run by wall time.
 *
 *   npx tsx scripts/ci-timings.ts run [label]      runs the suite as `npm test` does (`tap -R tap`, this
 *        process's environment: set TEST_DATABASE_URL for the server run) into
 *        .tmp/timings-<label>.tap, then ranks it
 *   npx tsx scripts/ci-timings.ts rank <log.tap>   ranks a saved `-R tap` log (CI's too)
 *   npx tsx scripts/ci-timings.ts diff <before.tap> <after.tap>   per file, before → after
 *
 * A file's time is tap's `# time=` on its line: at the top level when the file ran as a process
 * of its own, one level in when it ran in a group (test/helpers/groups.ts, as `npm test` runs
 * them; then it excludes the group's start). Wall time, with `jobs` processes sharing the cores,
 * so on a loaded machine compare files against each other, not runs.
 */
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

export interface FileTime { file: string; ms: number; ok: boolean }

/** Top-level results of a `tap -R tap` log: `ok 3 - test/x.test.ts # time=1234.5ms`. */
export function fileTimes(tap: string): FileTime[] {
  const out: FileTime[] = []
  for (const line of tap.split('\n')) {
    const m = /^(?: {4})?(not ok|ok) \d+ - (\S+\.test\.ts)(?: # SKIP[^#]*)?(?: # time=([\d.]+)(ms|s))?/.exec(line)
    if (!m) continue
    const n = Number(m[3] ?? 0)
    out.push({ file: m[2]!, ms: m[4] === 's' ? n * 1000 : n, ok: m[1] === 'ok' })
  }
  return out
}

const secs = (ms: number) => (ms / 1000).toFixed(1).padStart(7)

function rank(times: FileTime[]): string {
  const total = times.reduce((s, t) => s + t.ms, 0)
  const rows = [...times].sort((a, b) => b.ms - a.ms).map((t, i) =>
    `${String(i + 1).padStart(3)}. ${secs(t.ms)} s ${((100 * t.ms) / (total || 1)).toFixed(1).padStart(5)} %  ${t.file}${t.ok ? '' : '  (FAILED)'}`)
  return [...rows, `     ${secs(total)} s summed over ${times.length} files`].join('\n')
}

function diff(before: FileTime[], after: FileTime[]): string {
  const a = new Map(after.map((t) => [t.file, t.ms]))
  const b = new Map(before.map((t) => [t.file, t.ms]))
  const files = [...new Set([...b.keys(), ...a.keys()])]
  files.sort((x, y) => (b.get(y) ?? a.get(y) ?? 0) - (b.get(x) ?? a.get(x) ?? 0))
  const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0)
  const cell = (v: number | undefined) => (v === undefined ? '      –' : secs(v))
  return [
    '  before    after  file',
    ...files.map((f) => `${cell(b.get(f))} ${cell(a.get(f))}  ${f}`),
    `${secs(sum(b))} ${secs(sum(a))}  summed`,
  ].join('\n')
}

async function run(label: string): Promise<string> {
  mkdirSync(join(root, '.tmp'), { recursive: true })
  const file = join(root, '.tmp', `timings-${label}.tap`)
  const sink = createWriteStream(file)
  const child = spawn(join(root, 'node_modules', '.bin', 'tap'), ['-R', 'tap', 'test/groups/*.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(sink)
  child.stderr.pipe(process.stderr)
  const code = await new Promise<number | null>((ok) => child.on('close', ok))
  console.log(`tap exited ${code}; log in ${file}`)
  return file
}

const [cmd, ...args] = process.argv.slice(2)
if (cmd === 'run') console.log(rank(fileTimes(readFileSync(await run(args[0] ?? 'latest'), 'utf8'))))
else if (cmd === 'rank' && args[0]) console.log(rank(fileTimes(readFileSync(args[0], 'utf8'))))
else if (cmd === 'diff' && args[0] && args[1]) console.log(diff(fileTimes(readFileSync(args[0], 'utf8')), fileTimes(readFileSync(args[1], 'utf8'))))
else {
  console.error('usage: ci-timings.ts run [label] | rank <log.tap> | diff <before.tap> <after.tap>')
  process.exitCode = 2
}
