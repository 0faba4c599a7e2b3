import t from './helpers/tap.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { and, eq, sql } from 'drizzle-orm'
import { auditLog, students } from '../db/schema/index.js'
import { defaultWebRoot } from '../src/plugins/web.js'
import { startupBanner } from '../src/server-banner.js'
import { ensureWeb } from '../scripts/ensure-web.mjs'
import { sharedTestApp, createSchool, createUser, injectAs, login, rid } from './helpers/app.js'

/**
 * Serving: the client's assets go out as the build compressed them when the
 * browser accepts br or gzip and as they are otherwise; API JSON is compressed above 1 KiB;
 * answers carrying tokens, spreadsheets and uploads are not touched; the favicon is served.
 */

await ensureWeb({ ifStale: true })
const root = defaultWebRoot()
const { app, database } = await sharedTestApp()
const html = (await app.inject({ method: 'GET', url: '/' })).body
const entry = /<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
if (!entry) throw new Error(`no entry script in index.html: ${html.slice(0, 300)}`)
const onDisk = readFileSync(join(root, entry))
const brOnDisk = readFileSync(join(root, `${entry}.br`))

// Every fixture before the first subtest: tap ends the root test once its subtests are done.
const school = await createSchool(database)
const admin = await createUser(database, school, [{ role: 'school_admin' }])
const { accessToken: token } = await login(app, admin.username)
await database.db.insert(students).values(Array.from({ length: 40 }, (_, i) => ({
  schoolId: school.schoolId, classId: school.classIds[i % 2]!, studentNo: `Z${rid()}${i}`, name: `学生${i}`, gender: i % 2 ? 'M' : 'F',
})))

const get = (url: string, acceptEncoding?: string, bearer?: string) => app.inject({
  method: 'GET', url,
  headers: { ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
})

t.test('the entry script: br or gzip when accepted, as built; plain otherwise', async (t) => {
  const br = await get(entry, 'gzip, deflate, br, zstd')
  t.equal(br.statusCode, 200)
  t.equal(br.headers['content-encoding'], 'br', 'a browser that takes br gets br')
  t.match(String(br.headers['content-type']), /javascript/, 'still typed as JavaScript')
  t.match(String(br.headers.vary), /accept-encoding/i, 'caches are told the answer varies by encoding')
  t.ok(br.rawPayload.length < onDisk.length / 2, `br ${br.rawPayload.length} B of ${onDisk.length} B`)
  t.ok(brotliDecompressSync(br.rawPayload).equals(onDisk), 'inflates to the very file built')
  t.ok(br.rawPayload.equals(brOnDisk), 'the precompressed file, not one compressed per request')

  const gz = await get(entry, 'gzip')
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.ok(gunzipSync(gz.rawPayload).equals(onDisk), 'gzip inflates to the file built')

  for (const accept of [undefined, 'identity', 'compress']) {
    const plain = await get(entry, accept)
    t.equal(plain.statusCode, 200)
    t.equal(plain.headers['content-encoding'], undefined, `Accept-Encoding ${accept ?? '(none)'}: not encoded`)
    t.ok(plain.rawPayload.equals(onDisk), 'the file as it is')
  }
  t.equal((await get(`${entry}.br`, 'br')).statusCode, 404, 'the compressed twins are not routes of their own')
})

t.test('index.html is compressed too; the favicon is linked and served', async (t) => {
  const page = await get('/', 'gzip')
  t.equal(page.headers['content-encoding'], 'gzip')
  const text = gunzipSync(page.rawPayload).toString('utf8')
  t.match(text, /<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml"/, 'the page links the icon')
  const icon = await get('/favicon.svg')
  t.equal(icon.statusCode, 200)
  t.match(String(icon.headers['content-type']), /^image\/svg\+xml/)
  t.match(icon.body, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  t.ok(icon.body.includes('<path'), 'a drawn mark, not text in a font the machine may lack')
})

t.test('API JSON over 1 KiB is compressed; a small answer is not', async (t) => {
  const plain = await get('/api/v1/students?limit=40', undefined, token)
  t.equal(plain.statusCode, 200)
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding, no compression')
  t.ok(plain.rawPayload.length > 1024, `the list is ${plain.rawPayload.length} B`)
  const list = await get('/api/v1/students?limit=40', 'br, gzip', token)
  t.equal(list.headers['content-encoding'], 'br')
  t.ok(list.rawPayload.length < plain.rawPayload.length / 2, `br ${list.rawPayload.length} B of ${plain.rawPayload.length} B`)
  t.equal(JSON.parse(brotliDecompressSync(list.rawPayload).toString('utf8')).total, 40, 'the same JSON inside')
  t.equal(list.headers['cache-control'], 'no-store', 'API answers still say no-store')
  t.ok(list.headers['x-request-id'], 'and carry the request id')

  const small = await get('/api/v1/students?limit=1', 'br, gzip', token)
  t.ok(small.rawPayload.length < 1024, `one student is ${small.rawPayload.length} B`)
  t.equal(small.headers['content-encoding'], undefined, 'under the threshold: sent as it is')
})

t.test('answers carrying tokens are never compressed (BREACH)', async (t) => {
  // Enough roles that the answer (user, grants, tokens) is over the 1 KiB threshold.
  const busy = await createUser(database, school, [
    { role: 'school_admin' }, { role: 'psych_teacher' }, { role: 'mentor' },
    { role: 'homeroom_teacher', classId: school.classIds[0] }, { role: 'peer_monitor', classId: school.classIds[1] },
  ])
  const res = await app.inject({
    method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-encoding': 'br, gzip' },
    payload: { username: busy.username, password: 'Test-password-1234' },
  })
  t.equal(res.statusCode, 200)
  t.ok(res.rawPayload.length > 1024, `the token answer is ${res.rawPayload.length} B, above the threshold`)
  t.equal(res.headers['content-encoding'], undefined)
  t.ok(res.json().accessToken, 'plain JSON with the token')
})

t.test('an .xlsx download goes out byte for byte and is still audited', async (t) => {
  const exports = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog)
    .where(and(eq(auditLog.actorId, admin.id), eq(auditLog.action, 'E'))))[0]!.n
  const before = await exports()
  const res = await get('/api/v1/students/export.xlsx', 'gzip, deflate, br', token)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-encoding'], undefined, 'a zip is not compressed again')
  t.equal(res.rawPayload.subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx (zip) file')
  t.equal(Number(res.headers['content-length']), res.rawPayload.length, 'its length announced')
  t.equal(await exports(), before + 1, 'the export is audited once')
})

t.test('the letter box page and its script are compressed and intact', async (t) => {
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const { accessToken } = await login(app, psych.username)
  t.equal((await injectAs(app, accessToken, { method: 'PATCH', url: '/api/v1/letterbox-admin', payload: { open: true } })).statusCode, 200)
  const slug = (await injectAs(app, accessToken, { method: 'GET', url: '/api/v1/letterbox-admin' })).json().slug as string
  for (const url of [`/letterbox/${slug}`, '/letterbox-assets/letterbox.js']) {
    const plain = await get(url)
    const gz = await get(url, 'gzip')
    t.equal(plain.statusCode, 200, url)
    t.equal(gz.statusCode, 200, url)
    t.equal(gz.headers['content-encoding'], 'gzip', `${url} compressed`)
    t.equal(gunzipSync(gz.rawPayload).toString('utf8'), plain.body, `${url}: the same content`)
    t.equal(gz.headers['content-security-policy'], plain.headers['content-security-policy'], `${url}: the same CSP`)
  }
})

t.test('a compressed request body is not inflated', async (t) => {
  const body = gzipSync(JSON.stringify({ username: admin.username, password: 'Test-password-1234' }))
  const res = await app.inject({
    method: 'POST', url: '/api/v1/auth/login', payload: body,
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  })
  t.equal(res.statusCode, 400, 'refused as the bad JSON it is on the wire')
  t.equal(res.json().code, 'bad_request', 'in the documented error shape')
})

t.test('the start-up banner names the web address and /docs where it is served', async (t) => {
  const lan = () => ['192.168.1.20']
  const local = startupBanner({ address: 'http://127.0.0.1:3000', host: '127.0.0.1', docsServed: true }, lan)
  t.match(local, /XinAn 心安: http:\/\/127\.0\.0\.1:3000\/\n/)
  t.match(local, /API docs: http:\/\/127\.0\.0\.1:3000\/docs/)
  t.notMatch(local, '192.168.1.20', 'bound to loopback: no LAN address')
  const everywhere = startupBanner({ address: 'http://127.0.0.1:3000', host: '0.0.0.0', docsServed: false }, lan)
  t.match(everywhere, 'http://localhost:3000/  http://192.168.1.20:3000/', 'bound to every interface: localhost and the LAN address')
  t.notMatch(everywhere, /docs/, 'no docs address where production serves none')
  const proxied = startupBanner({ address: 'http://127.0.0.1:3000', host: '0.0.0.0', publicBaseUrl: 'https://xinan.example.cn/', docsServed: true }, lan)
  t.match(proxied, 'XinAn 心安: https://xinan.example.cn/\n')
  t.match(proxied, 'API docs: https://xinan.example.cn/docs')
})
