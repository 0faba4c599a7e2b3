/**
 * `npm run bench`: how fast XinAn is, and what each safeguard costs. Figures, not
 * pass/fail. Runs every section (scripts/bench/sections.ts) on the embedded database and,
 * when DATABASE_URL is set or the local server at postgres://root@127.0.0.1:5432 answers, on
 * that server too — each section in its own process and, on the server, its own scratch
 * database (created, used, dropped). Prints one table and writes bench-results.json:
 * {"metrics":[{"name","value","unit"}…]} with every figure suffixed _embedded / _server, plus
 * the target metrics unsuffixed (the server's figure when there is a server).
 *
 *   npm run bench [-- --quick] [--only district,read,write,import,duties,start,fsync]
 *                 [--mode embedded|server|both] [--out bench-results.json]
 *                 [--students N [--schools N]] [--scale]
 *
 * --quick: smaller districts and imports, 3 s load runs; the whole run stays under 10 minutes
 * on 2 cores. --students/--schools: the district and duty sections on a district of that size
 * (default 1,000 students a school), e.g. `--only district,duties --mode server --students
 * 300000 --schools 300`; their limits grow with the size. Their synthetic district is made in
 * this process's memory first: a million pupils ran out of node's 4 GB heap (measured), so a
 * million is the --scale run's, seeded inside the database.
 * --scale: the opt-in scale section alone (scripts/bench/duties-scale.ts), on the server
 * unless --mode says otherwise: 1,000,000 students in 1,000 schools seeded by generate_series
 * (or --students/--schools), the duty generation timed on it, then scripts/bench/scale-hooks.ts.
 * A failed section is reported as -1 for its headline figures (the error on stderr) and the
 * run goes on.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { round, serverAnswers, withScratchDatabase, type Metric, type Mode } from './common.js'
import { sections, type Section } from './sections.js'

const root = resolve(import.meta.dirname, '..', '..')
const DEFAULT_SERVER = 'postgres://root@127.0.0.1:5432/postgres'

const args = process.argv.slice(2)
const flag = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const quick = args.includes('--quick')
const scaleRun = args.includes('--scale')
const only = flag('--only')?.split(',').map((s) => s.trim()).filter(Boolean) ?? (scaleRun ? ['scale'] : undefined)
const modeArg = flag('--mode') ?? (scaleRun ? 'server' : 'both')
const out = resolve(root, flag('--out') ?? 'bench-results.json')
const scaleStudents = flag('--students')
const scaleArgs = scaleStudents ? ['--students', scaleStudents, ...(flag('--schools') ? ['--schools', flag('--schools')!] : [])] : []
/** How many times the default full-run size (100,000 students) the scale run is. */
const scaleFactor = scaleStudents ? Math.max(1, Number(scaleStudents) / 100_000) : 1
const unknown = only?.filter((k) => !sections.some((s) => s.key === k)) ?? []
if (unknown.length || !['embedded', 'server', 'both'].includes(modeArg) || (scaleStudents !== undefined && !(Number(scaleStudents) > 0))) {
  console.error(`usage: npm run bench -- [--quick] [--only ${sections.map((s) => s.key).join(',')}] [--mode embedded|server|both] [--out file] [--students N [--schools N]] [--scale]`)
  process.exit(2)
}
const chosen = sections.filter((s) => (only ? only.includes(s.key) : !s.optIn))

/** The performance targets; the unsuffixed metric takes the server's figure when there is one. */
const TARGETS: Array<{ name: string; op: '>=' | '<=' | null; target: number | null }> = [
  { name: 'audited_read_ratio', op: '>=', target: 0.5 },
  { name: 'audited_read_p99_ms', op: '<=', target: 100 },
  { name: 'audited_write_ratio', op: '>=', target: 0.4 },
  { name: 'import_copy_ratio', op: '>=', target: 0.3 },
  { name: 'district_p50_ms', op: '<=', target: 50 },
  { name: 'district_cold_p50_ms', op: '<=', target: 300 },
  { name: 'duty_gen_s_100k', op: '<=', target: 10 },
]

const redact = (url: string) => {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

function log(msg: string) {
  process.stderr.write(`${msg}\n`)
}

/** Whether the scale options apply to a section (the synthetic-district ones). */
const scaled = (section: Section) => scaleArgs.length > 0 && (section.key === 'district' || section.key === 'duties' || section.key === 'scale')

/** Runs one section in a child process (scripts/bench/run-section.ts); its metrics come back over IPC. */
function runChild(section: Section, url: string | undefined): Promise<Metric[]> {
  const env: Record<string, string | undefined> = { ...process.env, BENCH_DATABASE_URL: url ?? '' }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'scripts/bench/run-section.ts'), section.key, ...(quick ? ['--quick'] : []), ...(scaled(section) ? scaleArgs : [])], {
    cwd: root, env, stdio: ['ignore', 2, 2, 'ipc'],
  })
  const limitMs = section.timeoutMin[quick ? 0 : 1] * 60_000 * (scaled(section) ? scaleFactor : 1)
  return new Promise<Metric[]>((ok, fail) => {
    let metrics: Metric[] | undefined
    const timer = setTimeout(() => {
      log(`  ! ${section.key}: no result after ${limitMs / 60_000} min; stopping process ${child.pid}`)
      child.kill('SIGKILL')
    }, limitMs)
    child.on('message', (m: { metrics?: Metric[] }) => { if (Array.isArray(m.metrics)) metrics = m.metrics })
    child.on('error', (err) => { clearTimeout(timer); fail(err) })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (metrics && code === 0) ok(metrics)
      else fail(new Error(`section process ended with ${signal ?? `code ${code}`}${metrics ? '' : ' before reporting'}`))
    })
  })
}

async function runSection(section: Section, mode: Mode, serverUrl: string | undefined, runTag: string): Promise<Metric[]> {
  log(`\n[${mode}] ${section.title}`)
  const t0 = performance.now()
  let metrics: Metric[]
  try {
    metrics = mode === 'server'
      ? await withScratchDatabase(serverUrl!, `${runTag}_${section.key}`, (url) => runChild(section, url))
      : await runChild(section, undefined)
    const wrong = metrics.filter((m) => !m.name.endsWith(`_${mode}`) || typeof m.value !== 'number' || !Number.isFinite(m.value))
    if (wrong.length) throw new Error(`malformed metrics: ${wrong.map((m) => `${m.name}=${m.value}`).join(', ')}`)
  } catch (err) {
    log(`  ! ${section.key} failed on the ${mode} database: ${(err as Error).stack ?? String(err)}`)
    metrics = section.headline.map((h) => ({ name: `${h}_${mode}`, value: -1, unit: 'failed (see stderr)' }))
  }
  const s = (performance.now() - t0) / 1000
  log(`  (${section.key}, ${mode}: ${s.toFixed(1)} s)`)
  return [...metrics, { name: `bench_section_s_${section.key}_${mode}`, value: round(s, 1), unit: 's (wall, incl. setup)' }]
}

const fmtNum = (v: number | undefined) => (v === undefined ? '—' : v === -1 ? 'FAILED' : Number.isInteger(v) ? v.toLocaleString('en') : String(v))

function printTable(all: Metric[], modes: Mode[], serverInfo: string) {
  const lines: string[] = []
  const w = 36
  lines.push('')
  lines.push(`XinAn benchmarks — ${quick ? 'QUICK run (smaller N, 3 s load)' : 'full run'}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, `
    + `${cpus().length} cores, Node ${process.version}`)
  lines.push(`embedded: PGlite in process, a temporary data folder on disk, durable commits (as npm start)${modes.includes('server') ? `; server: ${serverInfo}` : '; server: not run'}`)
  lines.push('')
  lines.push(`${'metric'.padEnd(w)} ${'embedded'.padStart(11)} ${'server'.padStart(11)}  unit`)
  for (const section of chosen) {
    lines.push(`${section.title}`)
    const rows = new Map<string, { embedded?: number; server?: number; unit: string }>()
    const own = all.filter((m) => sectionOf.get(m.name) === section.key)
    for (const m of own) {
      const mode: Mode = m.name.endsWith('_server') ? 'server' : 'embedded'
      const base = m.name.slice(0, -(`_${mode}`.length))
      const row = rows.get(base) ?? { unit: m.unit }
      row[mode] = m.value
      if (m.value !== -1) row.unit = m.unit
      rows.set(base, row)
    }
    for (const [base, r] of rows) lines.push(`  ${base.padEnd(w - 2)} ${fmtNum(r.embedded).padStart(11)} ${fmtNum(r.server).padStart(11)}  ${r.unit}`)
  }
  return lines
}

/** Which section each metric came from (for the table). */
const sectionOf = new Map<string, string>()

const started = performance.now()
const runTag = randomBytes(2).toString('hex')
let serverUrl: string | undefined
let serverInfo = ''
if (modeArg !== 'embedded') {
  const candidate = process.env.DATABASE_URL ?? DEFAULT_SERVER
  if (await serverAnswers(candidate)) {
    serverUrl = candidate
    try {
      const { default: postgres } = await import('postgres')
      const q = postgres(candidate, { max: 1, onnotice: () => {} })
      const [v] = await q`select current_setting('server_version') as v`
      await q.end({ timeout: 2 })
      serverInfo = `PostgreSQL ${String(v?.v)} at ${redact(candidate)}${process.env.DATABASE_URL ? ' (DATABASE_URL)' : ''}, scratch database per section`
    } catch {
      serverInfo = redact(candidate)
    }
  } else {
    log(`no PostgreSQL server answers at ${redact(candidate)}: server figures skipped`)
  }
}
const modes: Mode[] = modeArg === 'server' ? (serverUrl ? ['server'] : []) : modeArg === 'embedded' ? ['embedded'] : ['embedded', ...(serverUrl ? ['server' as const] : [])]
log(`XinAn bench (${quick ? 'quick' : 'full'}): sections ${chosen.map((s) => s.key).join(', ')}; databases ${modes.join(', ') || 'none'}`)

const all: Metric[] = []
for (const mode of modes) {
  for (const section of chosen) {
    const ms = await runSection(section, mode, serverUrl, runTag)
    for (const m of ms) sectionOf.set(m.name, section.key)
    all.push(...ms)
  }
}

// The target figures, unsuffixed: the server's when it ran, else the embedded database's.
const source: Mode = modes.includes('server') ? 'server' : 'embedded'
const byName = new Map(all.map((m) => [m.name, m]))
const unsuffixed: Metric[] = []
const targetLines: string[] = ['', `Targets — the unsuffixed figures in ${out.replace(root + '/', '')} are the ${source} database's${source === 'server' ? ' (embedded alongside)' : ' (no server ran)'}:`]
for (const t of TARGETS) {
  const m = byName.get(`${t.name}_${source}`)
  const other = source === 'server' ? byName.get(`${t.name}_embedded`) : undefined
  if (!m) continue
  unsuffixed.push({ name: t.name, value: m.value, unit: m.unit })
  // A target holds on every database the run measured: the embedded figure is judged as well.
  const verdictOf = (value: number) => value === -1 ? 'FAILED' : t.op === null ? 'no target' : (t.op === '>=' ? value >= t.target! : value <= t.target!) ? 'met' : 'MISSED'
  const goal = t.op === null ? '' : `${t.op === '>=' ? '≥' : '≤'} ${t.target}`
  targetLines.push(`  ${t.name.padEnd(22)} ${fmtNum(m.value).padStart(9)}  ${goal.padEnd(7)} ${verdictOf(m.value).padEnd(9)} ${other ? `embedded ${fmtNum(other.value)} ${verdictOf(other.value)}` : ''}  [${m.unit}]`)
}
if (byName.has('district_p50_ms_' + source)) {
  const cold = byName.get(`district_cold_p50_ms_${source}`)
  targetLines.push(`  district_p50_ms reads the stored release; computing a release: p50 ${fmtNum(cold?.value)} ms, p99 ${fmtNum(byName.get(`district_cold_p99_ms_${source}`)?.value)} ms`)
}
if (quick && byName.has('duty_gen_s_100k_' + source)) targetLines.push('  duty_gen_s_100k in a quick run is the 20k figure scaled ×5 (linear), not a 100k measurement')

const totalS = (performance.now() - started) / 1000
const meta: Metric[] = [
  { name: 'bench_quick', value: quick ? 1 : 0, unit: 'flag' },
  { name: 'bench_server_ran', value: modes.includes('server') ? 1 : 0, unit: 'flag' },
  { name: 'bench_total_s', value: round(totalS, 1), unit: 's (wall)' },
]
writeFileSync(out, JSON.stringify({ metrics: [...all, ...unsuffixed, ...meta] }, null, 2) + '\n')
console.log([...printTable(all, modes, serverInfo), ...targetLines, '', `whole run ${totalS.toFixed(0)} s; written to ${out}`].join('\n'))
