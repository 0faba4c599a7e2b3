import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { Variant, World, WorldUser } from '../world.js'

/**
 * Matrix entries of 升年级. A rollover rewrites the whole school, so each request
 * first undoes whatever rollover an earlier case left in force (through the API, as that
 * school's admin): every case starts from the world as it was built, and the last case
 * leaves it so for the routes after these.
 */

async function inject(w: World, who: WorldUser, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return w.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }), headers: { authorization: `Bearer ${who.token}` } })
}

async function undoAll(w: World) {
  for (const admin of [w.users.school_admin, w.adminB]) {
    const list = (await inject(w, admin, 'GET', '/api/v1/school-year/rollovers?limit=500')).json() as { items: Array<{ id: string; undoneAt: string | null }> }
    for (const r of list.items.filter((i) => i.undoneAt === null)) {
      const res = await inject(w, admin, 'POST', `/api/v1/school-year/rollovers/${r.id}/undo`)
      if (res.statusCode !== 200) throw new Error(`matrix reset: undo answered ${res.statusCode} ${res.body}`)
    }
  }
}

/** A rollover in force in the variant's school, made by that school's admin. */
async function rolloverIn(w: World, v: Variant): Promise<string> {
  await undoAll(w)
  const res = await inject(w, v === 'otherSchool' ? w.adminB : w.users.school_admin, 'POST', '/api/v1/school-year/rollover', {})
  if (res.statusCode !== 201) throw new Error(`matrix fixture: rollover answered ${res.statusCode} ${res.body}`)
  return (res.json() as { id: string }).id
}

const fresh = (url: string): RouteCase['request'] => async (w) => {
  await undoAll(w)
  return { url, payload: {} }
}

// Registration order matters: the list comes last and its reset leaves no rollover behind.
export const rolloverCases: Catalogue = {
  'POST /api/v1/school-year/rollover/preview': { kind: 'collection', ok: 200, request: fresh('/api/v1/school-year/rollover/preview') },
  'POST /api/v1/school-year/rollover': { kind: 'collection', ok: 201, request: fresh('/api/v1/school-year/rollover'), cleanup: undoAll },
  'POST /api/v1/school-year/rollovers/:id/undo': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await rolloverIn(w, v)
      return { url: `/api/v1/school-year/rollovers/${id}/undo`, targetId: id }
    },
    cleanup: undoAll,
  },
  'GET /api/v1/school-year/rollovers': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      // The target is an undone rollover, so the list has it and nothing stays in force.
      const id = await rolloverIn(w, v)
      await undoAll(w)
      return { url: '/api/v1/school-year/rollovers?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
}
