import { AsyncLocalStorage } from 'node:async_hooks'

/** A school's data key, unwrapped: held in memory only, never logged. */
export interface DataKey {
  id: string
  schoolId: string
  key: Buffer
}

/**
 * The unwrapped data keys of one database, by key id, and each school's key for new values.
 * Sealing and opening happen inside drizzle's synchronous value mapping, so the keys they
 * need are loaded (asynchronously) before the query runs: by the transaction wrappers for the
 * school they set, and by key id when a value names a key not seen yet (notes-keys.ts).
 */
export class KeyRing {
  readonly byId = new Map<string, DataKey>()
  /** school id → the key new values are sealed with, and when that was last read from the database. */
  readonly active = new Map<string, { keyId: string; checkedAt: number }>()

  add(k: DataKey): void {
    this.byId.set(k.id, k)
  }

  setActive(schoolId: string, keyId: string, now: number): void {
    this.active.set(schoolId, { keyId, checkedAt: now })
  }

  activeKey(schoolId: string): DataKey | undefined {
    const a = this.active.get(schoolId)
    return a ? this.byId.get(a.keyId) : undefined
  }
}

/** Every ring of the process: a value read outside any school scope (a job as the owner) is opened by its key id. */
const rings = new Set<KeyRing>()

export function trackRing(ring: KeyRing): void {
  rings.add(ring)
}

export function untrackRing(ring: KeyRing): void {
  rings.delete(ring)
}

export function keyInAnyRing(keyId: string): DataKey | undefined {
  for (const r of rings) {
    const k = r.byId.get(keyId)
    if (k) return k
  }
  return undefined
}

/**
 * Where a statement runs: the ring of its database and the school it runs for. New values are
 * sealed with that school's key; a value sealed with another school's key does not open there
 * (a value copied into another school's row), except in columns made to travel between two
 * schools (a transfer package). schoolId null: a system scope (the owner across schools) that
 * may open any school's values but seals none.
 */
export interface NotesScope {
  ring: KeyRing
  schoolId: string | null
}

export const notesScope = new AsyncLocalStorage<NotesScope>()
