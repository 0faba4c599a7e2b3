import { messages, protocol, types, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite'

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
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
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

export class EmbeddedStatements {
  readonly #pg: PGlite
  readonly #max: number
  /** By SQL text, least recently used first (a Map keeps insertion order). */
  readonly #byText = new Map<string, Prepared>()
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
        return pg._runExclusiveTransaction(() => pg._runExclusiveQuery(() => this.#query<T>(text, params ?? [], options, true)))
      },
      transaction: <T>(fn: (tx: Transaction) => Promise<T>) => pg.transaction((tx) => {
        const query = async <R>(text: string, params?: unknown[], options?: QueryOptions) => {
          if (!preparable(text, options)) return tx.query<R>(text, params, options)
          if (tx.closed) throw new Error('Transaction is closed')
          // The transaction already holds the transaction lock; this waits for the statement lock only.
          return pg._runExclusiveQuery(() => this.#query<R>(text, params ?? [], options, false))
        }
        // The rest of tx (exec, rollback, closed …) is PGlite's own.
        return fn(Object.assign(Object.create(tx) as Transaction, { query }))
      }),
    }
  }

  async #query<T>(text: string, params: unknown[], options: QueryOptions | undefined, outsideTx: boolean): Promise<Results<T>> {
    const cached = this.#byText.get(text)
    if (cached) {
      this.#byText.delete(text)
      this.#byText.set(text, cached)
      try {
        return await this.#execute<T>(text, cached, params, options, outsideTx)
      } catch (e) {
        if (!(e instanceof messages.DatabaseError) || !STALE.has(e.code ?? '')) throw e
        this.#forget(text)
        // In a transaction the error has aborted it: the statement is prepared afresh the next time.
        if (this.#pg.isInTransaction()) throw e
      }
    }
    return this.#execute<T>(text, await this.#prepare(text, params, options), params, options, outsideTx)
  }

  async #prepare(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Prepared> {
    const name = `xinan_${++this.#next}`
    let reply: Message[]
    try {
      reply = await this.#send([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()], text, params, options)
    } catch (e) {
      this.#closing.push(name) // in case Parse got through and Describe did not
      throw e
    }
    const described = reply.find((m): m is messages.ParameterDescriptionMessage => m.name === 'parameterDescription')
    const row = reply.find((m): m is messages.RowDescriptionMessage => m.name === 'rowDescription')
    const prepared = {
      name,
      paramTypes: described?.dataTypeIDs ?? [],
      fields: row?.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) ?? [],
    }
    this.#byText.set(text, prepared)
    if (this.#byText.size > this.#max) {
      const oldest = this.#byText.keys().next().value as string
      this.#forget(oldest)
    }
    return prepared
  }

  async #execute<T>(text: string, p: Prepared, params: unknown[], options: QueryOptions | undefined, outsideTx: boolean): Promise<Results<T>> {
    const serializers = this.#pg.serializers
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null
      const type = p.paramTypes[i]
      const s = type === undefined ? undefined : serializers[type]
      return s ? s(v) : (v as { toString(): string }).toString()
    })
    const reply = await this.#send([serialize.bind({ statement: p.name, values }), serialize.execute(), serialize.sync()], text, params, options)
    if (outsideTx) await this.#pg.syncToFs()
    const result = this.#results(p, reply, options)
    if (result.command && DDL.has(result.command)) for (const t of [...this.#byText.keys()]) this.#forget(t)
    return result as Results<T>
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

  /** One call into PostgreSQL: pending Closes, then the messages; errors carry the statement as query() gives them. */
  async #send(parts: Uint8Array[], text: string, params: unknown[], options: QueryOptions | undefined): Promise<Message[]> {
    if (this.#closing.length > 0) parts = [...this.#closing.splice(0).map((name) => serialize.close({ type: 'S', name })), ...parts]
    try {
      return await this.#pg.execProtocolStream(concat(parts), { syncToFs: false })
    } catch (e) {
      if (e instanceof messages.DatabaseError) Object.assign(e, { query: text, params, queryOptions: options })
      throw e
    }
  }

  #forget(text: string): void {
    const p = this.#byText.get(text)
    if (!p) return
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
