import t from './helpers/tap.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freshDatabase } from './helpers/database.js'
import { spawnServer } from './helpers/pg-cluster.js'

// Starts a real server process: slower than the suite's default limit on a busy machine.
t.setTimeout(600_000)

interface Answer { status: number; headers: Record<string, string>; body: Record<string, unknown> }

/** Parses the HTTP/1.1 answers a raw socket received, in order (JSON bodies with Content-Length). */
function parseAnswers(raw: string): Answer[] {
  const out: Answer[] = []
  let rest = raw
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n')
    if (headEnd < 0) break
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n')
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
    const len = Number(headers['content-length'] ?? 0)
    const bodyBytes = Buffer.from(rest.slice(headEnd + 4)).subarray(0, len)
    let body: Record<string, unknown> = {}
    try { body = JSON.parse(bodyBytes.toString()) as Record<string, unknown> } catch { /* not JSON */ }
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body })
    rest = Buffer.from(rest.slice(headEnd + 4)).subarray(len).toString()
  }
  return out
}

const request = (method: string, path: string, body?: string) =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nAccept-Language: en\r\n`
  + (body !== undefined ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '')
  + '\r\n'

t.test('after SIGTERM: accepted requests finish, late ones get 503 shutting_down with a requestId, then the process exits', async (t) => {
  const fresh = process.env.TEST_DATABASE_URL ? await freshDatabase() : undefined
  if (fresh) {
    // The spawned server opens its own pool: release the helper's so the drop is not blocked.
    await fresh.database.close()
    t.teardown(async () => { await fresh.drop().catch(() => {}) })
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'xinan-shutdown-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const server = await spawnServer({ DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '8000', LOG_LEVEL: 'warn', ...(fresh?.url ? { DATABASE_URL: fresh.url } : {}) })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const port = Number(new URL(server.base).port)

  // In flight across the signal: the headers (and so the request) are accepted before SIGTERM,
  // the body arrives after it, so the handler can only run during the shutdown.
  const body = JSON.stringify({ username: 'nobody_here', password: 'not-the-password-1' })
  const socket: Socket = connect(port, '127.0.0.1')
  await new Promise((ok) => socket.once('connect', ok))
  let raw = ''
  socket.on('data', (c: Buffer) => { raw += c.toString('latin1') })
  const ended = new Promise<string>((ok) => {
    socket.once('error', (e: NodeJS.ErrnoException) => ok(`error ${e.code}`))
    socket.once('close', () => ok('close'))
  })
  socket.write(request('POST', '/api/v1/auth/login', body) + body.slice(0, 10))
  await sleep(300)

  const signalled = Date.now()
  server.child.kill('SIGTERM')
  await sleep(500)
  // The rest of the body, and a second request on the same connection: it reaches the app only
  // after the shutdown began.
  socket.write(body.slice(10) + request('GET', '/api/v1/auth/me'))

  const how = await ended
  const code = await server.exited
  const took = Date.now() - signalled
  const answers = parseAnswers(Buffer.from(raw, 'latin1').toString())
  t.not(how, 'error ECONNRESET', 'the connection is not reset')
  t.equal(answers.length, 2, 'both requests are answered')
  t.equal(answers[0]?.status, 401, 'the request in flight finishes with its own answer')
  t.equal(answers[0]?.body.code, 'invalid_credentials')
  t.equal(answers[1]?.status, 503, 'the late request is refused')
  t.equal(answers[1]?.body.code, 'shutting_down')
  t.equal(answers[1]?.body.statusCode, 503)
  t.match(answers[1]?.body.message, /shutting down/)
  t.type(answers[1]?.body.requestId, 'string')
  t.equal(answers[1]?.headers['x-request-id'], answers[1]?.body.requestId)
  t.equal(answers[1]?.headers.connection, 'close')
  t.equal(code, 0, 'the process exits cleanly')
  t.ok(took < 8000, `exited ${took} ms after SIGTERM, within the grace period`)
})

