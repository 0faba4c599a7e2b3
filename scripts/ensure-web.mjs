#!/usr/bin/env node
/* global process, console, performance */
// Builds the web client into dist/web when it is missing, so `npm start` on a fresh clone
// serves it. Plain JS (no tsx) so that the check costs a few milliseconds when the build is
// already there.
//
//   node scripts/ensure-web.mjs              build only if dist/web/index.html is missing
//   node scripts/ensure-web.mjs --if-stale   also rebuild when a file in src/web is newer
//   node scripts/ensure-web.mjs --optional   say so and exit 0 when vite is not installed
//                                            (npm ci --omit=dev); used by postinstall
//
// Parallel callers (test files) share one build through a lock directory.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src', 'web')
const out = join(root, 'dist', 'web')
const index = join(out, 'index.html')
const lock = join(root, 'dist', '.web-build.lock')

function newestSource(dir) {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs)
  }
  return newest
}

function upToDate(ifStale) {
  if (!existsSync(index)) return false
  if (!ifStale) return true
  return newestSource(src) <= statSync(index).mtimeMs
}

/** @param {{ ifStale?: boolean, optional?: boolean }} [opts] @returns {Promise<boolean>} whether it built */
export async function ensureWeb({ ifStale = false, optional = false } = {}) {
  // index.html is written before the build's last step (the .br/.gz twins): while another
  // caller holds the lock, its build is not finished even if index.html looks new.
  if (upToDate(ifStale) && !existsSync(lock)) return false
  let vite
  try {
    vite = await import('vite')
  } catch {
    if (optional) {
      console.log('ensure-web: vite is not installed; the web client was not built (run `npm run build:web` after installing dev dependencies).')
      return false
    }
    throw new Error('ensure-web: vite is not installed; cannot build the web client (npm install, then npm run build:web)')
  }
  mkdirSync(dirname(lock), { recursive: true })
  // mkdir is atomic: whoever creates the lock builds, the others wait for it.
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true })
      await sleep(250)
    }
  }
  try {
    if (upToDate(ifStale)) return false
    const t0 = performance.now()
    await vite.build({ configFile: join(src, 'vite.config.ts'), logLevel: 'warn' })
    console.log(`ensure-web: built the web client into dist/web in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    return true
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2)
  ensureWeb({ ifStale: args.includes('--if-stale'), optional: args.includes('--optional') }).catch((e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
