import type { PGlite } from '@electric-sql/pglite'

/** Counts calls into the embedded PostgreSQL (execProtocolStream) made while fn runs. */
export async function callsDuring<T>(pg: PGlite, fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const original = pg.execProtocolStream.bind(pg)
  let calls = 0
  pg.execProtocolStream = ((...args: Parameters<PGlite['execProtocolStream']>) => {
    calls++
    return original(...args)
  }) as PGlite['execProtocolStream']
  try {
    return { value: await fn(), calls }
  } finally {
    pg.execProtocolStream = original
  }
}
