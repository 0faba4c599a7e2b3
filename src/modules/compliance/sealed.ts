import { sealedColumns as declared } from '../../crypto/sealed-columns.js'

/**
 * Which columns are encrypted at rest, for the 数据清单's 加密存储 column: the one place the
 * report learns it, from the encryption itself (the schema's sealed column types register
 * there). The report keeps no list of its own, which could claim a column is sealed when it is
 * not; `known` false (未提供) is for a caller that has no such list.
 */
export interface SealedColumns {
  /** false: no list is available, and the report says so instead of guessing. */
  known: boolean
  /** "table.column" (database names). */
  columns: ReadonlySet<string>
}

export function sealedColumns(): SealedColumns {
  return { known: true, columns: new Set(declared.map((c) => `${c.table}.${c.column}`)) }
}
