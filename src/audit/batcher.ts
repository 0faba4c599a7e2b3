import { sql } from 'drizzle-orm'
import { preparedRows, type Db } from '../db/database.js'
import { auditJson, type AuditEvent } from './audit.js'

interface Pending { events: AuditEvent[]; done: (err?: unknown) => void }

/**
 * Group commit for the audit rows of reads. A read's rows are handed over after its
 * transaction; the caller waits until they are durable before the data leaves, so "audited
 * before the data leaves" still holds, while one lock and one commit serve every request
 * that arrived during the previous flush instead of one fsync each. Writes keep their audit
 * row in their own transaction.
 */
export class AuditBatcher {
  private queue: Pending[] = []
  private flushing: Promise<void> | null = null
  private closed = false

  constructor(private readonly db: Db, private readonly maxBatch = 1000) {}

  append(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve()
    if (this.closed) return Promise.reject(new Error('audit batcher closed'))
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, done: (err) => (err ? reject(err instanceof Error ? err : new Error('audit append failed')) : resolve()) })
      if (!this.flushing) this.flushing = this.drain()
    })
  }

  /** Waits for everything queued so far (shutdown). */
  async close(): Promise<void> {
    this.closed = true
    while (this.flushing) await this.flushing
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // One turn of the event loop first: requests whose reads are finishing right now join
        // this batch instead of each starting the next. The embedded database, which answers
        // one statement at a time and blocks the process for each fsync, had committed (and
        // fsynced) a batch of one read at nearly every request.
        await new Promise<void>((resolve) => setImmediate(resolve))
        const batch: Pending[] = []
        let n = 0
        while (this.queue.length > 0 && n < this.maxBatch) {
          const p = this.queue.shift()!
          batch.push(p)
          n += p.events.length
        }
        try {
          await preparedRows(this.db, sql`select audit_append_batch(${JSON.stringify(batch.flatMap((p) => p.events.map(auditJson)))}::jsonb)`)
          for (const p of batch) p.done()
        } catch (err) {
          // Every request of a failed batch fails: none of them may return unaudited data.
          for (const p of batch) p.done(err)
        }
      }
    } finally {
      this.flushing = null
    }
  }
}
