import { AsyncLocalStorage } from 'node:async_hooks'
import net from 'node:net'

/**
 * How long the PostgreSQL server mode waits before it gives up on the database. Without these a
 * stopped database made requests wait up to 18 s (the driver's reconnect back-off grows to 20 s)
 * and a frozen one (SIGSTOP, a hung VM, a full I/O queue) made them wait for ever.
 */
export interface ServerTimeouts {
  /** PostgreSQL statement_timeout: the server cancels longer statements (57014). */
  statementTimeoutMs: number
  /** PostgreSQL idle_in_transaction_session_timeout: a transaction left open is ended by the server. */
  idleInTransactionMs: number
  /** Opening a connection, including the startup handshake. */
  connectTimeoutS: number
  /** Idle pooled connections are closed after this. */
  idleTimeoutS: number
}

export const defaultServerTimeouts: ServerTimeouts = {
  statementTimeoutMs: 10_000,
  idleInTransactionMs: 30_000,
  connectTimeoutS: 5,
  idleTimeoutS: 60,
}

/** Driver options shared by every server-mode pool (the app's, the test helper's). */
export function serverClientOptions(t: ServerTimeouts = defaultServerTimeouts) {
  return {
    connect_timeout: t.connectTimeoutS,
    idle_timeout: t.idleTimeoutS,
    // The driver's default back-off grows to 20 s between attempts, and queued queries wait it out;
    // a short, capped one keeps answers during an outage fast and recovery within a second.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    // Startup parameters: PostgreSQL applies them as session settings on every new connection.
    connection: {
      application_name: 'xinan',
      statement_timeout: t.statementTimeoutMs,
      idle_in_transaction_session_timeout: t.idleInTransactionMs,
    },
    socket: watchedSocket(t.statementTimeoutMs + 2_000),
  }
}

interface SocketOptions { host: string[]; port: number[]; path?: string | false }

interface Allowance { ms: number; active: boolean }

const statementAllowance = new AsyncLocalStorage<Allowance>()

/**
 * Runs `fn` with statements allowed to run up to `ms` (a job, whose transaction sets its own
 * statement_timeout with SET LOCAL): the watchdog waits that long plus 2 s for what is sent
 * from inside `fn` before it drops the connection, instead of the request limit's 2 s more.
 */
export async function withStatementAllowance<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const allowance: Allowance = { ms, active: true }
  try {
    return await statementAllowance.run(allowance, fn)
  } finally {
    allowance.active = false
  }
}

/**
 * A frozen server still completes TCP and keeps the connection open (the kernel answers for it),
 * so neither statement_timeout (the server's own clock) nor keep-alive notices. The watchdog
 * destroys a connection that has been sent something and has answered nothing for longer than
 * any statement may run; the driver then fails the query like any lost connection.
 *
 * The socket is returned while still connecting: the driver writes its startup message at once
 * (Node buffers it until connected) and a refused or reset connection reaches the driver as its
 * usual 'error' and 'close' events, so its reconnect logic stays in charge.
 */
function watchedSocket(noAnswerMs: number) {
  let next = 0
  return (o: SocketOptions) => {
    const s = new net.Socket() as net.Socket & { host?: string; port?: number }
    if (o.path) {
      s.connect(o.path)
    } else {
      const i = next++ % o.host.length
      s.host = o.host[i]!
      s.port = o.port[i] ?? o.port[0]!
      s.connect(s.port, s.host)
    }
    // The driver removes every listener of a connection it has closed; a reset the kernel reports
    // after that would be an 'error' event nobody listens to, which ends the process (seen on 5 of
    // 20 database restarts). Such a socket carries no query any more: its late error is dropped.
    const emit = s.emit.bind(s) as (event: string | symbol, ...args: unknown[]) => boolean
    s.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'error' && s.listenerCount('error') === 0) return false
      return emit(event, ...args)
    }) as typeof s.emit
    let awaiting = false
    let waitMs = noAnswerMs
    // The allowance of the job whose statements this connection carries. The driver writes a
    // statement from a callback scheduled in its caller's async context, but the rest of an
    // extended-protocol exchange from its socket callbacks (no context): the connection keeps
    // the job's allowance until the job is over (its transaction reserves the connection).
    let allowance: Allowance | undefined
    const write = s.write.bind(s) as (...args: unknown[]) => boolean
    s.write = ((...args: unknown[]) => {
      awaiting = true
      allowance = statementAllowance.getStore() ?? allowance
      const ms = allowance?.active ? Math.max(noAnswerMs, allowance.ms + 2_000) : noAnswerMs
      if (ms !== waitMs) {
        waitMs = ms
        s.setTimeout(ms)
      }
      return write(...args)
    })
    s.on('data', () => { awaiting = false })
    s.setTimeout(noAnswerMs)
    s.on('timeout', () => {
      if (!awaiting) return
      s.destroy(Object.assign(new Error(`database did not answer within ${waitMs} ms`), { code: 'DB_NO_ANSWER' }))
    })
    return s
  }
}

/**
 * Errors that mean "the database cannot be reached right now", not "this request is wrong":
 * network failures, the driver's connection errors, the server shutting down or starting
 * (57P01–57P03), connection exceptions (class 08) and statement timeouts (57014).
 */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'DB_NO_ANSWER',
  '57P01', '57P02', '57P03', '57014',
])

export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true
  }
  return false
}

/**
 * postgres.js 3.4.x (up to 3.4.10, the newest 3.x; 4.x is a rewrite drizzle-orm does not
 * support yet) can call `socket.write` on a connection whose socket is already gone when the
 * server restarts; the TypeError escapes from a timer or socket callback where no query can
 * catch it, and ended the process on 2 of 10 database restarts. The query concerned has already
 * been failed with CONNECTION_CLOSED by then, so only this exact error is logged and survived:
 * a TypeError about `write` on null thrown from the driver's nextWrite in its connection.js.
 * Anything else keeps Node's behaviour (the process ends with the error printed).
 */
export function isDriverClosedSocketBug(err: unknown): boolean {
  if (!(err instanceof TypeError)) return false
  const stack = err.stack ?? ''
  return /\bnull\b.*\bwrite\b|\bwrite\b.*\bnull\b/.test(err.message)
    && /\bnextWrite\b/.test(stack)
    && /[\\/]postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(stack)
}

export function guardDriverClosedSocketBug(log: { error(obj: object, msg: string): void }): void {
  process.on('uncaughtException', (err, origin) => {
    if (isDriverClosedSocketBug(err)) {
      log.error({ err: { kind: 'TypeError', message: err.message } }, 'database driver wrote to a closed connection; continuing')
      return
    }
    if (isLostConnection(err)) {
      log.error({ err: { kind: err.name, code: (err as { code?: unknown }).code }, origin }, 'a lost database connection surfaced outside any request; continuing')
      return
    }
    throw err
  })
}

/** Codes that only ever mean "the connection to the database went away". */
const LOST_CONNECTION = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'CONNECT_TIMEOUT', 'DB_NO_ANSWER',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P02', '57P03',
])

/**
 * On a database restart the driver rejects, with the lost connection's error, promises that no
 * request awaits any more (measured: 5 of 20 restarts ended the process with an unhandled
 * CONNECTION_CLOSED, ECONNRESET or ECONNREFUSED, after the requests concerned had their 503). The app's state
 * does not depend on a connection, so such an error is logged and survived; any other
 * uncaught error still ends the process.
 */
export function isLostConnection(err: unknown): boolean {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined
  return (typeof code === 'string' && LOST_CONNECTION.has(code)) || isDatabaseUnavailable(err)
}
