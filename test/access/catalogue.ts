import type { Variant, World, WorldUser } from './world.js'

export interface CaseRequest {
  url: string
  payload?: unknown
  headers?: Record<string, string>
}

/**
 * How the generated matrix exercises one registered route. Every route under
 * /api/v1 that names a resource must have an entry, keyed "METHOD /url/with/:params";
 * a route without one fails the suite.
 *
 * kind:
 * - item: the request targets one record placed by `variant`; out of scope → 404.
 * - collection: a list/search/export; no decision → 403; otherwise `ok`, and the target
 *   placed by `variant` appears in the answer only when a granted scope reaches it
 *   (`contains` says how to find it).
 * - create: the new record hangs off a parent placed by `variant` (a student, a class);
 *   a parent out of scope → 404 and nothing is written.
 */
export interface RouteCase {
  kind: 'item' | 'collection' | 'create'
  /** Status when allowed and in scope. */
  ok: number
  /**
   * Builds a fresh request; may create the records it targets (direct inserts are fine).
   * `caller` is who will send it: records of an `own`-scoped resource are made as the
   * caller's own in the ownClass variant and as someone else's otherwise.
   */
  request(world: World, variant: Variant, caller: WorldUser): Promise<CaseRequest & { targetId?: string }>
  /** collection only: whether the answer lists the target. */
  contains?(body: unknown, targetId: string): boolean
  /** Puts the world back after the route's last request (a case that changes the school for everyone). */
  cleanup?(world: World): Promise<void>
}

export type Catalogue = Record<string, RouteCase>

/** For paginated answers shaped { items: [{ id }] }. */
export function itemsContain(body: unknown, id: string): boolean {
  const items = (body as { items?: Array<{ id?: string }> }).items ?? []
  return items.some((i) => i.id === id)
}

