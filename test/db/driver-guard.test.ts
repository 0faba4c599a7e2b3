import t from '../helpers/tap.js'
import { isDatabaseUnavailable, isDriverClosedSocketBug, isLostConnection } from '../../src/db/server-client.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/** The TypeError postgres.js 3.4.x throws from a timer when it writes to a connection already gone. */
function driverError(message: string, file = '/srv/xinan/node_modules/postgres/src/connection.js'): TypeError {
  const err = new TypeError(message)
  err.stack = `TypeError: ${message}\n    at Immediate.nextWrite (file://${file}:255:22)\n    at process.processImmediate (node:internal/timers:485:21)`
  return err
}

test('the uncaught-exception guard matches only the driver’s closed-socket TypeError', async (t) => {
  t.ok(isDriverClosedSocketBug(driverError("Cannot read properties of null (reading 'write')")))
  t.ok(isDriverClosedSocketBug(driverError("null is not an object (evaluating 'socket.write')")))
  t.ok(isDriverClosedSocketBug(driverError("Cannot read properties of null (reading 'write')", '/app/node_modules/postgres/cjs/src/connection.js')))
  // Same message elsewhere, another error class, or another frame: not swallowed.
  t.notOk(isDriverClosedSocketBug(driverError("Cannot read properties of null (reading 'write')", '/srv/xinan/src/modules/x.js')))
  t.notOk(isDriverClosedSocketBug(new TypeError("Cannot read properties of null (reading 'write')")))
  const other = driverError("Cannot read properties of undefined (reading 'length')")
  t.notOk(isDriverClosedSocketBug(other))
  const notType = new Error("Cannot read properties of null (reading 'write')")
  notType.stack = driverError(notType.message).stack!
  t.notOk(isDriverClosedSocketBug(notType))
})

test('database-unavailable errors are recognised through the cause chain', async (t) => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'DB_NO_ANSWER', '57P01', '57P03', '57014', '08006', '08001']) {
    t.ok(isDatabaseUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code }) })), code)
  }
  for (const code of ['23505', '42501', '22P02', 'FST_ERR_VALIDATION', undefined]) {
    t.notOk(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), String(code))
  }
})

test('a lost connection surfacing outside a request is survived; other errors are not', async (t) => {
  const coded = (code: string) => Object.assign(new Error('x'), { code })
  for (const code of ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03']) {
    t.ok(isLostConnection(coded(code)), code)
  }
  for (const err of [coded('23505'), coded('ERR_INVALID_ARG_TYPE'), new TypeError('x is not a function'), new Error('plain'), null, 'ECONNRESET']) {
    t.notOk(isLostConnection(err), `not ${String((err as { code?: string } | null)?.code ?? err)}`)
  }
})
