import tap, { type Test } from 'tap'

/**
 * The `t` every test file uses: tap's root when the file runs on its own (`npx tap
 * test/x.test.ts`), and the file's own subtest when a group runs it (groups.ts). Its top-level
 * tests, plans and teardowns then belong to that subtest, so a file's teardowns run when the
 * file is done, before the next file of the group starts.
 */
let current: Test | undefined

export function runningIn(t: Test | undefined): void {
  current = t
}

const t = new Proxy(tap, {
  get(root, key) {
    const target = (current ?? root) as unknown as Record<PropertyKey, unknown>
    const value = target[key]
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
  },
}) as typeof tap

export default t
