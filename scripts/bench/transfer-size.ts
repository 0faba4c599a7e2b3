/**
 * First-load transfer size of `/`: what a browser downloads to show the first
 * screen — the HTML, the entry script, the scripts it preloads and the stylesheet — once
 * without compression and once with each encoding the server offers.
 *
 *   npx tsx scripts/bench/transfer-size.ts [--no-browser]
 *
 * Two measurements, printed as tables:
 * - over HTTP: `/` and every asset its HTML names (script, modulepreload, stylesheet,
 *   icon), fetched with `Accept-Encoding: identity`, `gzip` and `br`; the bytes on the wire
 *   of each body (the figure a browser's network panel calls "transferred", less headers);
 * - in Debian's chromium (when /usr/bin/chromium is there): the page as the browser loads it,
 *   lazy chunks of the login screen included, with the encoded body sizes the browser
 *   reports, first as it asks (gzip, deflate, br, zstd) and then with compression refused.
 * Builds the web client first when src/web is newer than dist/web.
 */
import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { buildApp } from '../../src/app.js'
import { ensureWeb } from '../ensure-web.mjs'
import { benchConfig, openBenchDatabase } from './common.js'

const CHROMIUM = '/usr/bin/chromium'

interface Fetched { path: string; bytes: number; encoding: string }

/** One GET with the given Accept-Encoding; counts the body as it arrives, undecoded. */
function getRaw(base: string, path: string, acceptEncoding: string): Promise<Fetched & { body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${path}: ${res.statusCode}`))
        const body = Buffer.concat(chunks)
        resolve({ path, bytes: body.length, encoding: String(res.headers['content-encoding'] ?? 'identity'), body })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The same-origin files the HTML makes the browser fetch at once. */
function assetsOf(html: string): string[] {
  const paths = new Set<string>()
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/[^"]+)"[^>]*>/g)) paths.add(m[1]!)
  return [...paths]
}

const kb = (n: number) => (n / 1024).toFixed(1)

async function overHttp(base: string): Promise<Record<string, number>> {
  // The HTML is the same whatever the encoding; read it plain to find the assets.
  const page = await getRaw(base, '/', 'identity')
  const paths = ['/', ...assetsOf(page.body.toString('utf8'))]
  const totals: Record<string, number> = {}
  const rows: string[][] = []
  for (const enc of ['identity', 'gzip', 'br']) {
    let total = 0
    for (const p of paths) {
      const f = await getRaw(base, p, enc)
      total += f.bytes
      rows.push([enc, p, f.encoding, kb(f.bytes)])
    }
    totals[enc] = total
  }
  console.log('\nOver HTTP: `/` and the files its HTML names (body bytes on the wire)')
  console.log(['asked', 'path', 'sent as', 'KiB'].join('\t'))
  for (const r of rows) console.log(r.join('\t'))
  return totals
}

async function inBrowser(base: string, refuseCompression: boolean): Promise<{ total: number; requests: number; byType: Record<string, number> }> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  })
  try {
    const context = await browser.newContext(refuseCompression ? { extraHTTPHeaders: { 'accept-encoding': 'identity' } } : {})
    const page = await context.newPage()
    const seen: Array<Promise<{ type: string; bytes: number }>> = []
    page.on('requestfinished', (req) => {
      seen.push(req.sizes().then((s) => ({ type: req.resourceType(), bytes: s.responseBodySize })))
    })
    await page.goto(`${base}/`, { waitUntil: 'networkidle' })
    const all = await Promise.all(seen)
    const byType: Record<string, number> = {}
    for (const r of all) byType[r.type] = (byType[r.type] ?? 0) + r.bytes
    return { total: all.reduce((s, r) => s + r.bytes, 0), requests: all.length, byType }
  } finally {
    await browser.close()
  }
}

await ensureWeb({ ifStale: true })
const database = await openBenchDatabase(undefined)
const app = await buildApp({ config: benchConfig({ SEED_DEMO: 'false' }), database })
await app.listen({ host: '127.0.0.1', port: 0 })
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
try {
  const http = await overHttp(base)
  console.log('\nFirst load of `/` over HTTP (HTML + entry JS + preloaded JS + CSS + icon):')
  for (const [enc, bytes] of Object.entries(http)) {
    const ratio = enc === 'identity' ? '' : `  (${((100 * bytes) / http.identity!).toFixed(1)}% of uncompressed)`
    console.log(`  ${enc.padEnd(8)} ${kb(bytes).padStart(8)} KiB${ratio}`)
  }
  if (!process.argv.includes('--no-browser') && existsSync(CHROMIUM)) {
    const plain = await inBrowser(base, true)
    const compressed = await inBrowser(base, false)
    console.log('\nFirst load of `/` in chromium (every response until the network is idle; encoded body bytes):')
    for (const [name, r] of [['uncompressed (Accept-Encoding: identity)', plain], ['as the browser asks', compressed]] as const) {
      const parts = Object.entries(r.byType).map(([k, v]) => `${k} ${kb(v)}`).join(', ')
      console.log(`  ${name.padEnd(42)} ${kb(r.total).padStart(8)} KiB in ${r.requests} requests (${parts})`)
    }
  }
} finally {
  await app.close()
  await database.close()
}
