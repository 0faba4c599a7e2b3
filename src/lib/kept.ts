/**
 * What is built once per owner and key and then reused: statements built per policy decision
 * (decisions are kept per actor, so what is fixed for the actor may stay literal in them). The
 * entries go with their owner.
 */
export class KeptPer<T> {
  private readonly byOwner = new WeakMap<object, Map<string, T>>()

  get(owner: object, key: string, build: () => T): T {
    let byKey = this.byOwner.get(owner)
    if (!byKey) this.byOwner.set(owner, byKey = new Map<string, T>())
    let kept = byKey.get(key)
    if (kept === undefined) {
      kept = build()
      byKey.set(key, kept)
    }
    return kept
  }
}
