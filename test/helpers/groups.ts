import { readdirSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import tap from 'tap'
import { runningIn } from './tap.js'

/**
 * `npm test` runs the suite's files in groups, one process per group (test/groups/*.ts): a
 * process costs seconds of CPU before its first test (starting node and tap, importing the app,
 * compiling it, warming the JIT), more than most files' own tests take. Measured on 10 files of
 * test/cases, test/support and test/roster: 70 CPU-s as 10 processes, 30 CPU-s as one.
 * The files of a group run one after the other, each in a subtest of its own path; each opens
 * its own database and app (buildTestApp), or shares the process's (sharedTestApp).
 * Every file stays runnable alone: `npx tap test/cases/cases.test.ts`.
 */

const root = resolve(import.meta.dirname, '..')

/** Every test file, as a path from the repository root (test/…/x.test.ts), sorted. */
export function testFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.test.ts')) out.push(relative(resolve(root, '..'), p))
    }
  }
  walk(root)
  return out.sort()
}

/** Directories too small for a process of their own share one. */
const SMALL = new Set(['compliance', 'crisis', 'crypto', 'imports', 'talks', 'transfers'])
/**
 * Split this many ways, so the two runners stay busy: the browser tests (half the embedded
 * run's time) and the files at the top of test/. tap starts the groups in the order of their
 * names, so the browser groups start early and the short groups fill the end of the run.
 */
const SPLIT: Record<string, { ways: number; name: string }> = { web: { ways: 6, name: 'browser' }, top: { ways: 2, name: 'top' } }

const dirOf = (file: string) => (file.split('/').length === 2 ? 'top' : file.split('/')[1]!)

/** The group a test file runs in (`all`: testFiles()): its directory under test/, with the splits and merges above. */
export function groupOf(file: string, all: readonly string[]): string {
  const dir = dirOf(file)
  if (SMALL.has(dir)) return 'small'
  const split = SPLIT[dir]
  if (!split) return dir
  const siblings = all.filter((f) => dirOf(f) === dir)
  return `${split.name}-${(siblings.indexOf(file) % split.ways) + 1}`
}

/** Each file's limit, as .taprc's was for a file's own process; .taprc now bounds the group's process. */
const FILE_TIMEOUT_MS = 300_000

/** Runs the group named by the calling file's name (test/groups/cases.ts → cases). */
export async function runGroup(entry: string): Promise<void> {
  const name = basename(new URL(entry).pathname).replace(/\.[mc]?ts$/, '')
  const all = testFiles()
  const files = all.filter((f) => groupOf(f, all) === name)
  if (files.length === 0) tap.fail(`group ${name} holds no test file`)
  await runFiles(files)
}

/** Runs test files (paths from the repository root) one after the other in this process. */
export async function runFiles(files: readonly string[]): Promise<void> {
  // A file that ends the process would end the group with it, its later files unrun, and the
  // exit status might still say success: process.exit fails the file instead, and a process
  // that ends before the last file is done exits non-zero.
  let done = false
  process.on('exit', () => {
    if (!done) process.exitCode = 1
  })
  const exit = process.exit
  for (const file of files) {
    process.exit = ((code?: number) => {
      throw new Error(`process.exit(${code ?? ''}) in ${file}: a file of a group ends by its tests, not by ending the process`)
    }) as typeof process.exit
    // Until the file's subtest ends: its tests may reach for the file's top-level `t` too.
    await tap.test(file, { timeout: FILE_TIMEOUT_MS }, async (t) => {
      runningIn(t)
      await import(pathToFileURL(resolve(root, '..', file)).href)
    })
  }
  process.exit = exit
  runningIn(undefined)
  done = true
}
