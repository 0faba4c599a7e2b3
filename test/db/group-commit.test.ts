import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from '../helpers/tap.js'
import { freshDatabase } from '../helpers/database.js'
import { queryRows, sql } from '../../src/db/database.js'
import { fsyncStats } from '../../src/db/durable-fs.js'
import { groupCommitOf, WalFlush } from '../../src/db/wal-flush.js'
import { queueAudit, withSchoolTx } from '../../src/access/transaction.js'
import { auditJson } from '../../src/audit/audit.js'

const embeddedOnly = process.env.TEST_DATABASE_URL ? 'the embedded database on disk; a server shares WAL flushes between its connections itself' : false

t.test('WalFlush: calls made together share one run; a call made during a run waits for the next one', async (t) => {
  const log: string[] = []
  // The runs under way, each finished by calling its entry.
  const running: Array<() => void> = []
  const flusher = new WalFlush(async () => {
    log.push('run')
    await new Promise<void>((ok) => running.push(ok))
    log.push('done')
  })
  const started = async (n: number) => { while (running.length < n) await new Promise((ok) => setImmediate(ok)) }
  const first = [flusher.flush().then(() => log.push('a')), flusher.flush().then(() => log.push('b'))]
  await started(1)
  // Asked while the run is under way: what it flushes may precede this caller's commit.
  const later = flusher.flush().then(() => log.push('c'))
  running[0]!()
  await Promise.all(first)
  t.same(log, ['run', 'done', 'a', 'b'], 'both callers of the first turn answered by one run')
  await started(2)
  t.same(log, ['run', 'done', 'a', 'b', 'run'], 'the later caller is still waiting: a second run started for it')
  running[1]!()
  await later
  t.same(log, ['run', 'done', 'a', 'b', 'run', 'done', 'c'])
})

t.test('WalFlush: a failed run fails its own callers only', async (t) => {
  let fail = true
  let runs = 0
  const flusher = new WalFlush(async () => {
    runs++
    if (fail) throw new Error('disk gone')
  })
  const failed = await Promise.allSettled([flusher.flush(), flusher.flush()])
  t.same(failed.map((r) => r.status), ['rejected', 'rejected'], 'every caller of the failed run is told')
  fail = false
  await t.resolves(flusher.flush(), 'the next call succeeds')
  t.equal(runs, 2, 'one run for the two callers that failed, a second one for the next call')
})

t.test('embedded on disk: write transactions share one WAL flush, and each answer waits for it', { skip: embeddedOnly }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xinan-group-commit-'))
  const { database, drop } = await freshDatabase({ dataDir: join(dir, 'pgdata') })
  t.teardown(async () => {
    await drop()
    rmSync(dir, { recursive: true, force: true })
  })
  const { db } = database
  t.ok(groupCommitOf(db), 'an embedded database on disk commits writes in groups')
  const lsn = async (fn: string) => (await queryRows<{ lsn: string }>(db, sql.raw(`select ${fn}()::text as lsn`)))[0]!.lsn
  const lsnAbove = async (a: string, b: string) => (await queryRows<{ above: boolean }>(db, sql`select ${a}::pg_lsn > ${b}::pg_lsn as above`))[0]!.above
  const audited = (i: number) => withSchoolTx(db, null, async (tx) => {
    const at = (await queryRows<{ lsn: string }>(tx, sql`select pg_current_wal_insert_lsn()::text as lsn`))[0]!.lsn
    queueAudit(tx, { actorId: null, roles: 'test', action: 'C', resource: 'group_commit', recordIds: [`w${i}`], outcome: 'ok' })
    return at
  })
  const count = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where resource = 'group_commit'`))[0]!.n

  // One write: its answer comes after an fsync that covers its commit record.
  let before = fsyncStats.calls
  const at = await audited(0)
  t.equal(fsyncStats.calls - before, 1, 'one fsync before the answer')
  t.ok(await lsnAbove(await lsn('pg_current_wal_flush_lsn'), at), 'the WAL is durable past the write (its audit row and commit come after the point read inside it)')

  // Twenty at once: one flush for all of them, each answered only after it.
  before = fsyncStats.calls
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => audited(i + 1)))
  const flushed = await lsn('pg_current_wal_flush_lsn')
  t.ok(fsyncStats.calls - before <= 3, `20 concurrent writes made ${fsyncStats.calls - before} fsyncs (one each before)`)
  for (const a of answers) if (!(await lsnAbove(flushed, a))) t.fail(`a write answered before the WAL past ${a} was durable`)
  t.equal(await count(), 21, 'every write and its audit row committed')

  // The check above can fail: a transaction committed asynchronously and not flushed leaves the
  // WAL's durable end behind its commit (the control for the two assertions on LSNs).
  const unflushed = await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('synchronous_commit', 'off', true)`)
    const event = auditJson({ actorId: null, roles: 'test', action: 'C', resource: 'group_commit_control', outcome: 'ok' })
    await tx.execute(sql`select audit_append_batch(${JSON.stringify([event])}::jsonb)`)
    return (await queryRows<{ lsn: string }>(tx, sql`select pg_current_wal_insert_lsn()::text as lsn`))[0]!.lsn
  })
  t.notOk(await lsnAbove(await lsn('pg_current_wal_flush_lsn'), unflushed), 'without the flush, the WAL is not yet durable past that commit')

  // A read-only transaction queues no audit row and waits for no flush.
  before = fsyncStats.calls
  await withSchoolTx(db, null, (tx) => queryRows(tx, sql`select 1`))
  t.equal(fsyncStats.calls - before, 0, 'a transaction that wrote nothing syncs nothing')
})

t.test('embedded in memory: no group commit (nothing is fsynced there)', { skip: embeddedOnly }, async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  t.equal(groupCommitOf(database.db), undefined)
})
