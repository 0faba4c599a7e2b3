import type { Db } from './database.js'

/**
 * Group commit for the embedded database's writes.
 *
 * A server's PostgreSQL lets many connections commit at once, and one WAL flush (one fsync)
 * serves every commit waiting for it. The embedded database runs one transaction at a time,
 * and each COMMIT fsyncs the WAL on its own: at 50 writes in flight the fsyncs alone took
 * about 0.9 ms of every audited write on this machine's disk.
 *
 * Here a write transaction commits without waiting for the disk (synchronous_commit off, set
 * in the transaction itself), and its caller then waits for `flush()`: one WAL flush for every
 * commit made before it started. The answer still leaves only once its change and its audit
 * rows are durable; a crash before the flush loses only writes nobody was told about. A read
 * that sees such a change in the meantime cannot answer before it is durable either: its own
 * audit rows commit synchronously (src/audit/batcher.ts), which flushes the WAL up to there.
 */
export class WalFlush {
  #waiting: Array<{ ok: () => void; fail: (err: unknown) => void }> = []
  #draining: Promise<void> | null = null

  /** `run` makes the WAL durable up to its end (one statement). */
  constructor(private readonly run: () => Promise<unknown>) {}

  /** Resolves once a flush that started after this call has finished. */
  flush(): Promise<void> {
    return new Promise<void>((ok, fail) => {
      this.#waiting.push({ ok, fail })
      if (!this.#draining) this.#draining = this.#drain()
    })
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        // One turn of the event loop first, so the writes committing right now share this flush.
        await new Promise<void>((resolve) => setImmediate(resolve))
        const batch = this.#waiting.splice(0)
        try {
          await this.run()
          for (const w of batch) w.ok()
        } catch (err) {
          for (const w of batch) w.fail(err)
        }
      }
    } finally {
      this.#draining = null
    }
  }
}

/**
 * The statement that flushes the WAL: a non-transactional logical message with flush = true
 * writes one small WAL record and flushes the WAL up to it (PostgreSQL 17 and later; the
 * embedded database is 18). Decoding nothing, it changes no table.
 */
export const FLUSH_WAL = `select pg_logical_emit_message(false, 'xinan.flush', '', true)`

const flushers = new WeakMap<Db, WalFlush>()

/** Marks `db` as one whose write transactions commit asynchronously and then wait for `flusher`. */
export function useGroupCommit(db: Db, flusher: WalFlush): void {
  flushers.set(db, flusher)
}

/** The group commit of `db`, if it has one (an embedded database on disk with durable commits). */
export function groupCommitOf(db: Db): WalFlush | undefined {
  return flushers.get(db)
}
