import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from './helpers/tap.js'
import { groupOf, testFiles } from './helpers/groups.js'
import { testsOf } from './helpers/once.js'

/** `npm test` runs the groups (test/helpers/groups.ts): no test file may fall outside them. */
const test = testsOf(t, 'no-database')
const root = resolve(import.meta.dirname, '..')

test('every test file runs in exactly one group, and every group runs files', async (t) => {
  const files = testFiles()
  t.ok(files.length > 100, `${files.length} test files found`)
  const entries = readdirSync(join(root, 'test', 'groups')).map((f) => f.replace(/\.ts$/, ''))
  const missing = files.filter((f) => !existsSync(join(root, 'test', 'groups', `${groupOf(f, files)}.ts`)))
  t.same(missing, [], 'each file’s group has an entry in test/groups')
  const used = new Set(files.map((f) => groupOf(f, files)))
  t.same(entries.filter((g) => !used.has(g)), [], 'no entry in test/groups runs nothing')
  t.ok(files.includes('test/test-groups.test.ts'), 'this file is among them')
})

test('npm test runs the groups', async (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.test, /test\/groups\//)
})

test('a file that calls process.exit fails, and the group’s later files still run', async (t) => {
  const { execFile } = await import('node:child_process')
  const out = await new Promise<{ code: number | null; stdout: string }>((ok) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    // A tap run's own settings would make the child report to the parent's runner.
    for (const k of Object.keys(env)) if (k.startsWith('TAP')) delete env[k]
    execFile(process.execPath, ['--import=./test/helpers/ts-loader.mjs', 'test/fixtures/groups/run.ts'], { cwd: root, env, timeout: 120_000 },
      (err, stdout) => ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }))
  })
  t.not(out.code, 0, 'the group exits non-zero')
  t.match(out.stdout, /not ok 1 - test\/fixtures\/groups\/exits\.ts/, 'the file that exits fails')
  t.match(out.stdout, /process\.exit\(0\) in test\/fixtures\/groups\/exits\.ts/, 'and says why')
  t.match(out.stdout, /\n {4}ok 1 - the file after it/, 'the next file runs')
  t.match(out.stdout, /\nok 2 - test\/fixtures\/groups\/passes\.ts/)
})

test('the fixtures import without starting tap: the bench imports test/helpers/app.ts, and tap\'s root timeout ended its process', async (t) => {
  const { execFile } = await import('node:child_process')
  const out = await new Promise<{ code: number | null; stdout: string }>((ok) => {
    // Alive past a one-second tap timeout, as a bench section lives past tap's default one.
    const script = "await import('./test/helpers/app.ts'); await new Promise((r) => setTimeout(r, 2500)); console.log('imported')"
    execFile(process.execPath, ['--import=tsx', '-e', script], { cwd: root, timeout: 60_000, env: { ...process.env, TAP_TIMEOUT: '1' } },
      (err, stdout) => ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }))
  })
  t.equal(out.code, 0)
  t.equal(out.stdout.trim(), 'imported', 'nothing but the script\'s own line: no TAP output')
})
