import { messages, parse, protocol, types, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite'

/**
 * Named prepared statements for the embedded database.
 *
 * PGlite's query() sends every statement unnamed, as six calls into its WebAssembly (parse,
 * describe, bind, describe, execute, sync): PostgreSQL parses and plans each statement on every
 * call, and PGlite's protocol layer runs around each of the six. Here each SQL text is
 * parsed once under a name (Parse, Describe, Sync), and then runs as Bind, Execute, Sync in one
 * call. Parameters are serialised and values parsed by PGlite's own serialisers and parsers, and
 * results take the shape of PGlite's parseResults, so drizzle gets the same values, fields and
 * counts as from query(); errors are PGlite's DatabaseError with the same fields.
 *
 * Transactions are PGlite's transaction() in fewer calls: BEGIN travels with the first
 * statement, COMMIT with the last one queued, and a statement can be queued to travel with the
 * next (EmbeddedTransaction.ahead). Several statements in one call run in order and end in one
 * Sync; one that fails stops those after it, as a failed statement stops a transaction.
 *
 * Every message sent ends in Sync: after an error PostgreSQL skips to it, so nothing is left
 * half-done on the session, inside a transaction or not.
 */

const { serialize } = protocol

type Message = Awaited<ReturnType<PGlite['execProtocolStream']>>[number]

interface Prepared {
  name: string
  /** From ParameterDescription: which of PGlite's serialisers each parameter goes through. */
  paramTypes: number[]
  /** From the statement's RowDescription (none without rows): Execute alone does not repeat it. */
  fields: Array<{ name: string; dataTypeID: number }>
}

/**
 * What drizzle's pglite session calls on its client (drizzle-orm/pglite/session.js): query with
 * rowMode and parsers, and transaction, whose tx object it queries.
 */
export interface EmbeddedClient {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  transaction<T>(fn: (tx: EmbeddedTransaction) => Promise<T>): Promise<T>
}

/** A transaction of EmbeddedStatements: PGlite's Transaction, and statements sent ahead. */
export interface EmbeddedTransaction extends Transaction {
  /**
   * Queues a statement to go into PostgreSQL with the transaction's next one (or its COMMIT),
   * in the same call, instead of in a call of its own; resolves to its result then. If it
   * fails, the statements sent after it in that call do not run and fail with its error.
   */
  ahead<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  /** Sends what ahead() queued, in a call of its own, when nothing else is to follow it; nothing when nothing is queued. */
  flush(): Promise<void>
  /**
   * Makes the next statement the transaction's last: COMMIT goes in the same call, and the
   * transaction is closed once it answers (a statement after it fails, as after rollback()).
   * A transaction of one read is then one call into PostgreSQL instead of two.
   */
  commitWithNext(): void
}

/** A statement for one call: its text, its parameters and drizzle's options. */
interface Statement {
  text: string
  params: unknown[]
  options: QueryOptions | undefined
}

/** A statement's result in a call of several, or the error that failed it (or stopped it from running). */
type Outcome = { ok: true; result: Results & { command?: string } } | { ok: false; error: unknown }

/** A statement queued with ahead(), settled when the call that carries it returns. */
interface Queued extends Statement {
  resolve(r: Results): void
  reject(e: unknown): void
}

/**
 * A cached name no longer fits its statement: a result type changed by DDL that did not pass
 * through here ("cached plan must not change result type"), or the name was dropped (DEALLOCATE).
 */
const STALE = new Set(['0A000', '26000'])

/** Command tags whose row count PGlite reports as affectedRows. */
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'])

/** Command tags of DDL, which can change what a cached statement returns: all names are dropped. */
const DDL = new Set(['CREATE', 'ALTER', 'DROP', 'DO'])

/** Messages that end one statement's answer in a call of several. */
const ENDS = new Set(['commandComplete', 'emptyQuery', 'portalSuspended'])

const statement = (text: string): Statement => ({ text, params: [], options: undefined })
const BEGIN = statement('begin')
const COMMIT = statement('commit')
const ROLLBACK = statement('rollback')
const CONTROL = new Set([BEGIN.text, COMMIT.text, ROLLBACK.text])

export class EmbeddedStatements {
  readonly #pg: PGlite
  readonly #max: number
  /** By SQL text, least recently used first (a Map keeps insertion order). */
  readonly #byText = new Map<string, Prepared>()
  /** BEGIN, COMMIT and ROLLBACK: prepared once, outside the cache (DDL cannot change what they return). */
  readonly #control = new Map<string, Prepared>()
  /** Names to Close, sent ahead of the next message (a Close never fails, even in an aborted transaction). */
  #closing: string[] = []
  #next = 0

  constructor(pg: PGlite, max = 256) {
    this.#pg = pg
    this.#max = max
  }

  /** Statements prepared now. */
  get size(): number {
    return this.#byText.size
  }

  /** The client to hand drizzle in place of the PGlite instance. */
  client(): EmbeddedClient {
    const pg = this.#pg
    return {
      query: async <T>(text: string, params?: unknown[], options?: QueryOptions) => {
        if (!preparable(text, options)) return pg.query<T>(text, params, options)
        await pg._checkReady()
        // As query(): the transaction lock keeps it out of an open transaction, and outside one the change is synced.
        return pg._runExclusiveTransaction(() => pg._runExclusiveQuery(() => this.#query<T>({ text, params: params ?? [], options })))
      },
      transaction: async <T>(fn: (tx: EmbeddedTransaction) => Promise<T>) => {
        await pg._checkReady()
        return pg._runExclusiveTransaction(() => this.#transaction(fn))
      },
    }
  }

  /** One statement outside a transaction: prepared again once if its cached name went stale. */
  async #query<T>(st: Statement): Promise<Results<T>> {
    let [outcome] = await this.#batch([st])
    if (!outcome!.ok && this.#stale(st, outcome!.error) && !this.#pg.isInTransaction()) [outcome] = await this.#batch([st])
    if (!outcome!.ok) throw outcome!.error
    await this.#pg.syncToFs()
    return outcome!.result as Results<T>
  }

  /**
   * PGlite's transaction(), with fewer calls into PostgreSQL: BEGIN goes with the first
   * statement, statements queued with ahead() go with the next one, and COMMIT goes with the
   * last of them. A read of one statement is two calls (BEGIN and it, then COMMIT) where
   * PGlite's makes four, and one when commitWithNext() said it is the last. The transaction
   * lock is held throughout, as PGlite's does; each call takes the statement lock.
   */
  async #transaction<T>(fn: (tx: EmbeddedTransaction) => Promise<T>): Promise<T> {
    const pg = this.#pg
    let began = false
    let closed = false
    let commitNext = false
    let queued: Queued[] = []
    const open = () => {
      if (closed) throw new Error('Transaction is closed')
    }
    /**
     * What is queued (BEGIN first, the first time) and `last`, in one call, and with `commit`
     * the COMMIT after them; the outcome of the last one sent before COMMIT, or the failure of
     * the COMMIT itself. A whole transaction in one call whose statements are all prepared goes
     * without BEGIN and COMMIT: statements sent together up to one Sync run as one transaction
     * of their own (PostgreSQL's implicit transaction block), committed at the Sync and rolled
     * back if one of them fails. Settings made local (set_config(…, true)) end with it.
     */
    const send = async (last?: Statement, commit = false): Promise<Outcome> => {
      const ahead = queued
      queued = []
      const body = [...ahead, ...(last ? [last] : [])]
      let outcomes: Outcome[]
      let end = 0
      try {
        outcomes = await pg._runExclusiveQuery(() => {
          // Decided under the statement lock: nothing can drop a name before the call is sent.
          const whole = commit && !began && body.length > 0 && body.every((st) => this.#byText.has(st.text))
          const list = whole ? body : [...(began ? [] : [BEGIN]), ...body, ...(commit ? [COMMIT] : [])]
          began = true
          end = whole || !commit ? list.length : list.length - 1
          return this.#batch(list)
        })
      } catch (e) {
        for (const q of ahead) q.reject(e)
        throw e
      }
      const from = end - body.length
      ahead.forEach((q, i) => {
        const o = outcomes[from + i]!
        if (o.ok) q.resolve(o.result)
        else q.reject(o.error)
      })
      const o = outcomes[end - 1] // none when COMMIT goes alone
      if (o && last && !o.ok) this.#stale(last, o.error)
      if (!commit || end === outcomes.length || (o && !o.ok)) return o!
      const c = outcomes[end]!
      if (!c.ok) return c
      // As PGlite's: COMMIT of a transaction a failed statement aborted answers ROLLBACK.
      return c.result.command === 'ROLLBACK' ? { ok: false, error: rolledBack() } : o ?? c
    }
    /** Closes the transaction: COMMIT, after `last` in the same call when given; `last`'s result. */
    const commit = async (last?: Statement): Promise<Results> => {
      closed = true
      const o = await send(last, true)
      if (!o.ok) {
        // A failed statement left its COMMIT unrun: the transaction is open and aborted.
        if (pg.isInTransaction()) await pg._runExclusiveQuery(() => this.#batch([ROLLBACK]))
        throw o.error
      }
      await pg.syncToFs()
      return o.result
    }
    const run = async (st: Statement): Promise<Results> => {
      const o = await send(st)
      if (!o.ok) throw o.error
      return o.result
    }
    /** BEGIN (the first time) and what is queued, on their own: before a statement PGlite's way. */
    const sendQueued = async () => {
      if (began && queued.length === 0) return
      const o = await send()
      if (!o.ok) throw o.error
    }
    /** Statements PGlite must run itself (COPY with a blob): what is queued goes first, on its own. */
    const unprepared = async <R>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results<R>> => {
      await sendQueued()
      return pg._runExclusiveQuery(() => this.#unnamed<R>(text, params ?? [], options))
    }
    const abandon = (e: unknown) => {
      for (const q of queued.splice(0)) q.reject(e)
    }
    const tx: EmbeddedTransaction = {
      query: async <R>(text: string, params?: unknown[], options?: QueryOptions) => {
        open()
        if (!preparable(text, options)) return unprepared<R>(text, params, options)
        const st = { text, params: params ?? [], options }
        return (await (commitNext ? commit(st) : run(st))) as Results<R>
      },
      ahead: <R>(text: string, params?: unknown[], options?: QueryOptions) => {
        open()
        const answer = new Promise<Results<R>>((resolve, reject) => {
          queued.push({ text, params: params ?? [], options, resolve: resolve as (r: Results) => void, reject })
        })
        answer.catch(() => undefined) // its caller awaits it later; a failure before then is not unhandled
        return answer
      },
      commitWithNext: () => {
        open()
        commitNext = true
      },
      flush: async () => {
        if (queued.length === 0) return
        open()
        await sendQueued()
      },
      sql: () => Promise.reject(new Error('sql`` is not offered on this transaction: use query()')),
      exec: async (text: string, options?: QueryOptions) => {
        open()
        await sendQueued()
        return pg._runExclusiveQuery(() => this.#simple(text, options))
      },
      rollback: async () => {
        open()
        closed = true
        abandon(new Error('the transaction was rolled back before this statement was sent'))
        if (began) await run(ROLLBACK)
      },
      listen: () => Promise.reject(new Error('listen is not offered on this transaction')),
      get closed() {
        return closed
      },
    }
    try {
      const value = await fn(tx)
      if (!closed) {
        closed = true
        if (began || queued.length > 0) await commit()
      }
      return value
    } catch (e) {
      closed = true
      abandon(e)
      // A statement that failed with COMMIT queued behind it left the transaction open (and aborted).
      if (pg.isInTransaction()) await pg._runExclusiveQuery(() => this.#batch([ROLLBACK]))
      throw e
    }
  }

  /**
   * Several statements in one call into PostgreSQL, run in order as Bind and Execute of their
   * names with one Sync at the end. A statement not yet prepared is parsed when its turn comes
   * (after those before it ran, so inside their transaction), in a call of its own. A statement
   * that fails stops those after it: they did not run, and get its error.
   */
  async #batch(list: Statement[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = []
    const stop = (error: unknown) => {
      while (outcomes.length < list.length) outcomes.push({ ok: false, error })
      return outcomes
    }
    let i = 0
    while (i < list.length) {
      const run: Array<{ st: Statement; p: Prepared }> = []
      for (let k = i; k < list.length; k++) {
        const p = this.#control.get(list[k]!.text) ?? this.#byText.get(list[k]!.text)
        if (!p) break
        run.push({ st: list[k]!, p })
      }
      if (run.length === 0) {
        try {
          await this.#prepare(list[i]!)
        } catch (error) {
          return stop(error)
        }
        continue
      }
      for (const { st, p } of run) {
        if (this.#control.has(st.text)) continue
        this.#byText.delete(st.text)
        this.#byText.set(st.text, p)
      }
      const done = await this.#run(run)
      outcomes.push(...done)
      const failed = done.find((o) => !o.ok)
      if (failed) return stop((failed as { error: unknown }).error)
      i += run.length
    }
    return outcomes
  }

  /** Prepared statements in one call: Bind and Execute each, then Sync. */
  async #run(run: Array<{ st: Statement; p: Prepared }>): Promise<Outcome[]> {
    const serializers = this.#pg.serializers
    const parts: Uint8Array[] = []
    for (const { st, p } of run) parts.push(serialize.bind({ statement: p.name, values: serialized(st.params, p.paramTypes, serializers) }), serialize.execute())
    parts.push(serialize.sync())
    const reply = await this.#send(parts)
    const outcomes: Outcome[] = []
    let answer: Message[] = []
    let ddl = false
    for (const m of reply) {
      if (outcomes.length === run.length) break
      const { st, p } = run[outcomes.length]!
      if (m.name === 'error') {
        const error = failure(m, st.text, st.params, st.options)
        while (outcomes.length < run.length) outcomes.push({ ok: false, error })
        break
      }
      answer.push(m)
      if (ENDS.has(m.name)) {
        const result = this.#results(p, answer, st.options)
        if (result.command && DDL.has(result.command)) ddl = true
        outcomes.push({ ok: true, result })
        answer = []
      }
    }
    if (ddl) for (const t of [...this.#byText.keys()]) this.#forget(t)
    if (outcomes.length < run.length) throw new Error(`PostgreSQL answered ${outcomes.length} of ${run.length} statements`)
    return outcomes
  }

  /** True (and the name is dropped, to be prepared afresh) when the error says the cached name no longer fits. */
  #stale(st: Statement, error: unknown): boolean {
    if (!(error instanceof messages.DatabaseError) || !STALE.has(error.code ?? '')) return false
    this.#forget(st.text)
    return true
  }

  async #prepare(st: Statement): Promise<Prepared> {
    const name = `xinan_${++this.#next}`
    let reply: Message[]
    try {
      reply = await this.#send([serialize.parse({ name, text: st.text }), serialize.describe({ type: 'S', name }), serialize.sync()])
    } catch (e) {
      this.#closing.push(name) // in case Parse got through and Describe did not
      throw e
    }
    const failed = reply.find((m) => m.name === 'error')
    if (failed) {
      this.#closing.push(name)
      throw failure(failed, st.text, st.params, st.options)
    }
    const described = reply.find((m): m is messages.ParameterDescriptionMessage => m.name === 'parameterDescription')
    const row = reply.find((m): m is messages.RowDescriptionMessage => m.name === 'rowDescription')
    const prepared = {
      name,
      paramTypes: described?.dataTypeIDs ?? [],
      fields: row?.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) ?? [],
    }
    if (CONTROL.has(st.text)) {
      this.#control.set(st.text, prepared)
      return prepared
    }
    this.#byText.set(st.text, prepared)
    if (this.#byText.size > this.#max) {
      const oldest = this.#byText.keys().next().value as string
      this.#forget(oldest)
    }
    return prepared
  }

  /**
   * A statement PGlite's query() would run (unnamed, with its options: a blob for COPY), inside
   * a transaction of ours, where query() itself would wait for the transaction lock we hold.
   */
  async #unnamed<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> {
    const pg = this.#pg
    await pg._handleBlob(options?.blob)
    let reply: Message[]
    try {
      const described = await this.#send([serialize.parse({ text, ...(options?.paramTypes ? { types: options.paramTypes } : {}) }), serialize.describe({ type: 'S' }), serialize.sync()])
      if (described.some((m) => m.name === 'error')) {
        reply = described
      } else {
        const types = described.find((m): m is messages.ParameterDescriptionMessage => m.name === 'parameterDescription')?.dataTypeIDs ?? []
        const values = serialized(params, types, { ...pg.serializers, ...options?.serializers })
        reply = await this.#send([serialize.bind({ values }), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()])
      }
    } finally {
      await pg._cleanupBlob()
    }
    return (await this.#parsed(reply, text, params, options))[0] as Results<T>
  }

  /** exec() inside a transaction of ours: the simple query protocol, as PGlite's exec(). */
  async #simple(text: string, options: QueryOptions | undefined): Promise<Results[]> {
    const pg = this.#pg
    await pg._handleBlob(options?.blob)
    let reply: Message[]
    try {
      reply = await this.#send([serialize.query(text), serialize.sync()])
    } finally {
      await pg._cleanupBlob()
    }
    return this.#parsed(reply, text, undefined, options)
  }

  /** What PGlite's parseResults makes of a statement PGlite's way (with the blob it wrote), or its error. */
  async #parsed(reply: Message[], text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results[]> {
    const failed = reply.find((m) => m.name === 'error')
    if (failed) throw failure(failed, text, params, options)
    return parse.parseResults(reply, this.#pg.parsers, options, await this.#pg._getWrittenBlob())
  }

  /**
   * What PGlite's parseResults makes of the messages, for the one statement. parseResults
   * copies the client's ~320 parsers into a new object on every call to merge the call's own
   * over them: a quarter of the process's CPU in a write transaction. Here each column's parser
   * is looked up once, in the same order (the call's, the client's, PGlite's defaults).
   */
  #results(p: Prepared, reply: Message[], options: QueryOptions | undefined): Results & { command?: string } {
    const own = options?.parsers
    const parsers = p.fields.map(({ dataTypeID: t }) => (own && Object.hasOwn(own, t) ? own[t] : this.#pg.parsers[t]) ?? types.parsers[t])
    const parse = (v: string | null, i: number): unknown => {
      if (v === null) return null
      const f = parsers[i]
      return f ? (f(v, p.fields[i]!.dataTypeID) as unknown) : v
    }
    const rows: unknown[] = []
    for (const m of reply) {
      if (m.name === 'dataRow') {
        const values = (m as messages.DataRowMessage).fields
        rows.push(options?.rowMode === 'array' ? values.map(parse) : Object.fromEntries(values.map((v, i) => [p.fields[i]!.name, parse(v, i)])))
      } else if (m.name === 'commandComplete') {
        const words = (m as messages.CommandCompleteMessage).text.split(' ')
        const command = words[0]!
        const rowCount = parseInt(words[words.length - 1]!, 10)
        const affectedRows = COUNTED.has(command) ? rowCount : 0
        const fields = p.fields.map((f) => ({ ...f }))
        return { rows, fields, command, affectedRows, ...(Number.isNaN(rowCount) ? {} : { rowCount }) } as Results & { command: string }
      }
    }
    return { affectedRows: 0, rows: [], fields: [] }
  }

  /** One call into PostgreSQL: pending Closes, then the messages. Errors come back among the messages. */
  async #send(parts: Uint8Array[]): Promise<Message[]> {
    if (this.#closing.length > 0) parts = [...this.#closing.splice(0).map((name) => serialize.close({ type: 'S', name })), ...parts]
    return this.#pg.execProtocolStream(concat(parts), { syncToFs: false, throwOnError: false })
  }

  #forget(text: string): void {
    const p = this.#control.get(text) ?? this.#byText.get(text)
    if (!p) return
    this.#control.delete(text)
    this.#byText.delete(text)
    this.#closing.push(p.name)
  }

}

/**
 * Statements left to PGlite's own query(): options beyond drizzle's rowMode and parsers (a
 * blob, parameter types, serialisers, a notice callback), and COPY, whose '/dev/blob' PGlite
 * feeds and collects around the statement.
 */
function preparable(text: string, options: QueryOptions | undefined): boolean {
  if (options) {
    for (const [k, v] of Object.entries(options)) if (v !== undefined && k !== 'rowMode' && k !== 'parsers') return false
  }
  return !/^\s*copy\b/i.test(text)
}

/** Parameters as PGlite's query() sends them: through the serialiser of each one's type, else as text. */
function serialized(params: unknown[], types: number[], serializers: PGlite['serializers']): Array<string | null> {
  return params.map((v, i) => {
    if (v === null || v === undefined) return null
    const type = types[i]
    const s = type === undefined ? undefined : serializers[type]
    return s ? s(v) : (v as { toString(): string }).toString()
  })
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** A DatabaseError from the messages, carrying its statement as PGlite's query() gives it. */
function failure(m: Message, query: string, params: unknown[] | undefined, queryOptions: QueryOptions | undefined): messages.DatabaseError {
  return Object.assign(m as messages.DatabaseError, { query, params, queryOptions })
}

/** PGlite's error for a COMMIT answered with ROLLBACK (a statement in the transaction had failed). */
function rolledBack(): messages.DatabaseError {
  const e = new messages.DatabaseError('Transaction was rolled back instead of committed', 0, 'error')
  return Object.assign(e, { severity: 'ERROR', code: '25P02', query: 'COMMIT', params: undefined, queryOptions: undefined })
}
