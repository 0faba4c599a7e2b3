import { randomBytes } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'

/**
 * The cell-key method (ABS TableBuilder, ONS census tables) against differencing between
 * releases. Every record (a student, a talk duty, an activity, a referral, a crisis event)
 * has a fixed random key in [0, 2³²). Students and talk duties, the large tables, have it
 * stored (student_cell_keys, talk_duties.cell_key), drawn at random when the record is written
 * (records older than the stored keys kept the keyed hash they had); the others get a keyed
 * hash of their id with the installation's secret.
 * Either way the key is fixed for the record's life and unpredictable without the database, and
 * that is all the method asks: an attacker comparing two releases sees, for a cell whose
 * records are the same, the same key and so the same value, and for a cell that gained or lost
 * a record a key that moved by an unknown 32-bit amount — exactly what a hashed key gave. A
 * stored key only saves hashing every record again at every release.
 * A cell's key is the sum of its records' keys mod 2³², so it is a fixed function of exactly
 * which records the cell counts: the same records always give the same published value, and
 * one record more or less gives a fresh, unpredictable key. The published value is
 * count + noise, the noise read from a fixed perturbation table (ptable) at (count, key):
 *
 *   count 0  → 0 (zero stays zero: no phantom pupil)
 *   count 1  → 0, 1 or 2, each with probability 1/3
 *   count ≥2 → count − 2 … count + 2, each with probability 1/5
 *
 * The noise is bounded (|noise| ≤ 2), never makes a count negative and has mean zero for every
 * count, so sums of perturbed cells are unbiased. Only the innermost cells are perturbed;
 * every total is the sum of the published cells it adds up, so each table adds up exactly.
 */

export const KEY_SPACE = 2 ** 32
export const MAX_NOISE = 2

/** The ptable: the published values a count can take, each equally likely over the keys. */
export function ptableRow(count: number): readonly number[] {
  if (count <= 0) return [0]
  if (count === 1) return [0, 1, 2]
  return [count - 2, count - 1, count, count + 1, count + 2]
}

/** murmur3's 32-bit finaliser: a fixed bijection of 32-bit integers that mixes every bit. */
function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * The published value of a cell of `count` records whose keys sum (mod 2³²) to `cellKey`.
 * The key is mixed with the count before the ptable lookup: a pupil who leaves a cell of n
 * for a cell of 1 takes their key from one cell key to the other, and with a plain lookup
 * (value rising with the key) the two noises would move together; mixed, the row of n and
 * the row of n − 1 read unrelated positions (measured: without it, a published 0 in the new
 * cell told that the old cell had gone down).
 */
export function perturb(count: number, cellKey: number): number {
  const row = ptableRow(count)
  if (row.length === 1) return row[0]!
  const key = ((cellKey % KEY_SPACE) + KEY_SPACE) % KEY_SPACE
  const u = fmix32((key + Math.imul(count, 0x9e3779b9)) >>> 0) / KEY_SPACE
  return row[Math.min(row.length - 1, Math.floor(u * row.length))]!
}

/** Probability that a cell of `count` records is published as `value` (for attack models). */
export function ptableProbability(count: number, value: number): number {
  const row = ptableRow(count)
  return row.includes(value) ? 1 / row.length : 0
}

/**
 * The installation's secret, made once. A fresh random secret per installation means keys
 * cannot be computed outside the database, and two installations' releases share nothing.
 */
export async function cellKeySecret(ex: Executor): Promise<string> {
  await ex.execute(sql`insert into cell_key_secrets (id, secret) values (1, ${randomBytes(32).toString('hex')}) on conflict (id) do nothing`)
  const rows = await queryRows<{ secret: string }>(ex, sql`select secret from cell_key_secrets where id = 1`)
  return rows[0]!.secret
}

/**
 * SQL for a record's key: the database's record_cell_key, the first 32 bits of md5(secret ‖ id)
 * as a bigint (the kept risk state gives a pupil written without a stored key the same). md5 is
 * in every PostgreSQL (pgcrypto's HMAC is not installed); keyed with a 256-bit secret the
 * attacker never sees, it serves as a pseudo-random function — no output of it is ever
 * published, only noise derived from sums of it.
 */
export function recordKey(secret: string, id: SQL): SQL {
  return sql`record_cell_key(${secret}, ${id})`
}

/** SQL for a cell's key over the grouped rows: Σ record keys mod 2³² (bigint cannot overflow: 2³² × 2³¹ rows). */
export function cellKeySum(secret: string, id: SQL, filter?: SQL): SQL {
  const k = recordKey(secret, id)
  return filter ? sql`(coalesce(sum(${k}) filter (where ${filter}), 0) % ${KEY_SPACE})` : sql`(coalesce(sum(${k}), 0) % ${KEY_SPACE})`
}
