import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import type { Database } from '../../src/db/database.js'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { freshDatabase, sourceClosureHash, type SeededTemplate } from '../helpers/database.js'
import { ensureWeb } from '../../scripts/ensure-web.mjs'

/**
 * End-to-end harness for the web client: the real server (buildApp on a fresh
 * database with the demo data, listening on 127.0.0.1:<random>) and Debian's chromium
 * driven by playwright-core — never a downloaded browser.
 */

export const CHROMIUM = '/usr/bin/chromium'
export const DEMO_PASSWORD = 'XinAn-demo-2026'
export const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts')

type Tap = Pick<Test, 'teardown' | 'plan' | 'fail'>

/** Whether this run can drive a browser; in CI a missing chromium is a failure, never a skip. */
export function browserAvailable(t: Tap): boolean {
  // The web client is the same whatever database serves it: CI drives the browser in one of
  // its two runs (the PostgreSQL server's) and says so in the other.
  if (process.env.XINAN_BROWSER_TESTS === 'skip') {
    t.plan(0, 'browser tests run once per CI run, on the PostgreSQL server')
    return false
  }
  if (existsSync(CHROMIUM)) return true
  const msg = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)`
  if (process.env.CI) t.fail(msg)
  else t.plan(0, msg)
  return false
}

export interface Server {
  app: FastifyInstance
  database: Database
  url: string
}

let demoTemplate: SeededTemplate | undefined

/**
 * The demo data, seeded once into a template and cloned for each server (seeding took
 * seconds of every browser test file). The demo dates records from today and places a crisis
 * six minutes ago that is due in 24, and an alert due within the half hour: a clone at most
 * ten minutes old still shows both as pending, as a fresh seed does.
 */
function demoData(): SeededTemplate {
  return demoTemplate ??= {
    name: 'demo',
    key: `${sourceClosureHash(resolve(import.meta.dirname, '..', '..', 'src', 'demo', 'seed.ts'))}/${DEMO_PASSWORD}`,
    maxAgeMs: 10 * 60_000,
    seed: (database) => seedDemoIfEmpty(database, { password: DEMO_PASSWORD }),
  }
}

export async function startServer(t: Tap, opts: { clock?: () => Date } = {}): Promise<Server> {
  // Tests run against a build of the current sources, rebuilt when src/web changed.
  await ensureWeb({ ifStale: true })
  const { database, drop } = await freshDatabase({ seeded: demoData() })
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', SEED_DEMO: 'true' }),
    jwtSecret: randomBytes(32).toString('hex'),
  }
  const app = await buildApp({ config, database, ...opts })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  return { app, database, url: address }
}

export interface Browser {
  context: BrowserContext
  /** A new tab; every console message about the Content-Security-Policy is collected in `cspViolations`. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>
  cspViolations: string[]
  pageErrors: string[]
}

export async function launchBrowser(t: Tap): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'xinan-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // The client honours the system's reduced-motion setting: dialogs open without animating,
    // so a test waits for no zoom and the renderer paints fewer frames.
    reducedMotion: 'reduce',
  })
  context.setDefaultTimeout(15_000)
  t.teardown(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const cspViolations: string[] = []
  const pageErrors: string[] = []
  return {
    context,
    cspViolations,
    pageErrors,
    async newPage(viewport) {
      const page = await context.newPage()
      if (viewport) await page.setViewportSize(viewport)
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to (load|execute|apply)/i.test(m.text())) cspViolations.push(m.text())
      })
      page.on('pageerror', (e) => pageErrors.push(String(e)))
      return page
    },
  }
}

/** Signs in through the login form, as a person would. */
export async function loginAs(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: /登\s*录/ }).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** True when the page is wider than the viewport (horizontal scrolling at phone width). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1')
}

export async function switchToEnglish(page: Page): Promise<void> {
  await page.getByTestId('lang-switch').getByText('English').click()
}

/** The public API as one demo user (for fixtures a journey needs: the same routes the client calls). */
export async function apiAs(server: Server, username: string) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`)
  const { accessToken } = await res.json() as { accessToken: string }
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T }
  }
}

/** Students of the demo school's 七年级(1)班 (homeroom.demo's and monitor.demo's class), by 学号. */
export async function demoClassStudents(server: Server): Promise<Array<{ id: string; name: string; studentNo: string; classId: string }>> {
  const { queryRows } = await import('../../src/db/database.js')
  const { sql } = await import('drizzle-orm')
  return queryRows(server.database.db, sql`
    select s.id, s.name, s.student_no as "studentNo", s.class_id as "classId"
    from students s join classes c on c.id = s.class_id join schools sc on sc.id = s.school_id
    where c.name = '七年级(1)班' and sc.code = 'DEMO-001' order by s.student_no`)
}

/**
 * Waits until `locator` matches exactly `n` elements (a search answers asynchronously, and
 * the unfiltered list is on screen until it does); returns the count seen last, so a test
 * asserting it fails with the real figure when `n` never shows.
 */
export async function settledCount(locator: Locator, n: number, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs
  let count = await locator.count()
  while (count !== n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    count = await locator.count()
  }
  return count
}

/**
 * The dialog that is opening, once its zoom-in is over: a field typed into or a list opened
 * while it is still animating can be reset or moved by the form as it opens (seen in CI on a
 * loaded machine).
 */
export async function openedDialog(page: Page, name?: string): Promise<Locator> {
  const dialog = name ? page.getByRole('dialog', { name }) : page.getByRole('dialog')
  await dialog.waitFor()
  for (let i = 0; i < 100 && /zoom-(appear|enter)/.test((await dialog.getAttribute('class')) ?? ''); i++) await page.waitForTimeout(50)
  await page.waitForTimeout(100)
  return dialog
}
