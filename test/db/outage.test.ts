import t from '../helpers/tap.js'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { findPgBin, spawnServer, startCluster } from '../helpers/pg-cluster.js'

/**
 * Server mode against a database that restarts, stops and freezes: the real server process on a
 * throwaway PostgreSQL cluster of its own (not the shared TEST_DATABASE_URL server, which the
 * test must not restart). Needs the PostgreSQL server binaries (initdb, pg_ctl).
 */
// Starts a real server process (and, here, a PostgreSQL cluster): slower than the suite's default limit on a busy machine.
t.setTimeout(600_000)

const bin = findPgBin()
const runs = Boolean(process.env.TEST_DATABASE_URL && bin)
if (!runs) t.plan(0, !bin ? 'PostgreSQL server binaries (initdb, pg_ctl) not found' : 'server-mode test: runs in the PostgreSQL run (TEST_DATABASE_URL set)')

// Small timeouts keep the test short; the defaults (10 s, 5 s) only change the bounds.
const STATEMENT_MS = 1500
const CONNECT_S = 2
const READYZ_MS = 1000
// The longest any answer may take: a frozen database is given up after the statement timeout
// plus the 2 s no-answer margin, or the connect timeout; 3 s of slack for a loaded CI machine.
const BOUND_MS = STATEMENT_MS + 2000 + 3000

interface Answer { status: number; code?: string; ms: number; at: number }

if (runs && bin) t.test('the server survives database restarts, answers 503 database_unavailable during outages and recovers', async (t) => {
  const cluster = await startCluster(bin)
  t.teardown(() => cluster.remove())
  const server = await spawnServer({
    DATABASE_URL: cluster.url,
    DATA_DIR: `/tmp/xinan-outage-${randomBytes(4).toString('hex')}`,
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
    DB_CONNECT_TIMEOUT_S: String(CONNECT_S),
    READYZ_TIMEOUT_MS: String(READYZ_MS),
    DATABASE_POOL_MAX: '6',
    LOG_LEVEL: 'warn',
  })
  t.teardown(() => { server.child.kill('SIGKILL') })
  let exitCode: number | null | undefined
  void server.exited.then((c) => { exitCode = c })

  // A database round trip on a public route: an unknown refresh token answers 401 when the
  // database is up.
  const call = async (): Promise<Answer> => {
    const start = Date.now()
    try {
      const res = await fetch(`${server.base}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: randomBytes(24).toString('base64url') }),
        signal: AbortSignal.timeout(30_000),
      })
      const body = (await res.json().catch(() => ({}))) as { code?: string }
      return { status: res.status, code: body.code, ms: Date.now() - start, at: start }
    } catch (err) {
      return { status: 0, code: (err as Error).name, ms: Date.now() - start, at: start }
    }
  }
  const answers: Answer[] = []
  let load = true
  const workers = Array.from({ length: 6 }, async () => {
    while (load) {
      answers.push(await call())
      await sleep(20)
    }
  })

  const upAgain = async (since: number) => {
    for (;;) {
      const a = await call()
      if (a.status === 401) return Date.now() - since
      if (Date.now() - since > 20_000) return Infinity
      await sleep(100)
    }
  }

  // The load loops must end however the test ends, or the file waits for tap's timeout.
  t.teardown(() => { load = false })
  await sleep(500)
  const recoveries: number[] = []
  let survived = 0
  for (let i = 0; i < 20 && exitCode === undefined; i++) {
    await cluster.restart(i % 2 === 0 ? 'immediate' : 'fast')
    recoveries.push(await upAgain(Date.now()))
    if (exitCode === undefined) survived++
    await sleep(150)
  }
  t.equal(survived, 20, `restarts survived: ${survived} of 20`)
  if (exitCode !== undefined) {
    // Why it died is the finding: show the server's last words and stop here.
    t.comment(`server exited with ${String(exitCode)}:\n${server.lines.slice(-40).join('\n')}`)
    load = false
    await Promise.all(workers)
    return
  }

  // Stopped for a while: every answer is a prompt 503, /readyz too.
  await cluster.stop('fast')
  const downSince = Date.now()
  await sleep(1500)
  const t0 = Date.now()
  const ready = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(15_000) })
  const readyMs = Date.now() - t0
  t.equal(ready.status, 503, '/readyz answers 503 while the database is down')
  t.ok(readyMs <= READYZ_MS + 2000, `/readyz answered in ${readyMs} ms`)
  const during = await Promise.all(Array.from({ length: 5 }, call))
  for (const a of during) {
    t.equal(a.status, 503, 'a request during the outage answers 503')
    t.equal(a.code, 'database_unavailable')
  }
  await cluster.start()
  const afterStop = await upAgain(Date.now())
  t.ok(afterStop < 5000, `recovered ${afterStop} ms after the database came back (down ${Date.now() - downSince} ms)`)

  // Frozen (SIGSTOP): connections stay open but nothing answers.
  cluster.freeze()
  let frozenAnswers: Answer[]
  let frozenReady: { status: number; ms: number } | undefined
  try {
    const r0 = Date.now()
    const [fa, fr] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, call)),
      fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(15_000) }).then((r) => ({ status: r.status, ms: Date.now() - r0 }), () => ({ status: 0, ms: Date.now() - r0 })),
    ])
    frozenAnswers = fa
    frozenReady = fr
  } finally {
    cluster.thaw()
  }
  for (const a of frozenAnswers) {
    t.equal(a.status, 503, `a request to the frozen database answers 503 (after ${a.ms} ms)`)
    t.equal(a.code, 'database_unavailable')
    t.ok(a.ms <= BOUND_MS, `within ${BOUND_MS} ms`)
  }
  t.equal(frozenReady?.status, 503, '/readyz answers 503 while the database is frozen')
  t.ok((frozenReady?.ms ?? Infinity) <= READYZ_MS + 2000, `/readyz answered in ${frozenReady?.ms} ms`)
  const afterThaw = await upAgain(Date.now())
  t.ok(afterThaw < 5000, `recovered ${afterThaw} ms after the database was thawed`)

  load = false
  await Promise.all(workers)

  t.equal(exitCode, undefined, 'the server process is still running')
  const bad = answers.filter((a) => !(a.status === 401 || (a.status === 503 && a.code === 'database_unavailable')))
  t.same(bad.slice(0, 5), [], `every answer under load is 401 or 503 database_unavailable (${answers.length} answers)`)
  const slowest = Math.max(...answers.map((a) => a.ms))
  t.ok(slowest <= BOUND_MS, `slowest answer under load ${slowest} ms (bound ${BOUND_MS} ms)`)
  t.ok(Math.max(...recoveries) < 5000, `recovery after each restart within 5 s (slowest ${Math.max(...recoveries)} ms)`)
  t.notOk(server.lines.some((l) => l.includes('unhandled error')), 'no unhandled 500s logged')
  const outage = answers.filter((a) => a.status === 503)
  t.comment(`restarts survived ${survived}/20; answers ${answers.length} (${outage.length} × 503); `
    + `503 answer time max ${Math.max(0, ...outage.map((a) => a.ms))} ms; recovery after restart max ${Math.max(...recoveries)} ms; `
    + `frozen answers ${frozenAnswers.map((a) => a.ms).join('/')} ms; readyz down ${readyMs} ms, frozen ${frozenReady?.ms} ms; `
    + `driver closed-socket errors survived: ${server.lines.filter((l) => l.includes('wrote to a closed connection')).length}`)
})
