import t from './helpers/tap.js'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { freshDatabase } from './helpers/database.js'

/**
 * A client that hangs up before the rate limiter runs: its socket is destroyed, so `req.ip` is
 * undefined. The limiter's key function threw a TypeError on that (an "unhandled error" 500 in
 * the log) and the request was never counted, so aborting early got around the limit.
 */
t.test('requests aborted before the rate limiter runs are counted and log no 500', async (t) => {
  const { database, drop } = await freshDatabase()
  const logs: string[] = []
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '3', JOBS_ENABLED: 'false' }), jwtSecret: randomBytes(32).toString('hex') }
  const app = await buildApp({ config, database, logStream: new Writable({ write(c, _e, cb) { logs.push(String(c)); cb() } }) })
  // Stands in for a slow client: this request waits in an early hook until its client is gone,
  // so the limiter (a route hook, after every app hook) meets a destroyed socket every time.
  app.addHook('onRequest', async (req) => {
    if (req.headers['x-test-wait-for-hangup'] !== undefined && !req.raw.socket.destroyed) await once(req.raw.socket, 'close')
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await app.close(); await drop() })
  const { port } = app.server.address() as { port: number }

  for (let i = 0; i < 3; i++) {
    const s = connect(port, '127.0.0.1')
    await once(s, 'connect')
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Test-Wait-For-Hangup: 1\r\n\r\n')
    await sleep(100)
    s.destroy()
    await once(s, 'close')
  }
  await sleep(300)

  const res = await fetch(`http://127.0.0.1:${port}/healthz`)
  t.equal(res.status, 429, 'the three aborted requests used up the limit of 3')
  t.equal(((await res.json()) as { code: string }).code, 'rate_limited')
  t.notOk(logs.some((l) => l.includes('unhandled error')), 'no unhandled error logged')
  t.notOk(logs.some((l) => /"statusCode":500/.test(l)), 'no 500 logged')
})
