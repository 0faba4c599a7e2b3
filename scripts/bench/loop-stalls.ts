import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * How long the event loop is held while some work runs. A request that arrives during a turn
 * of the loop waits for the rest of it, so the figure that matters is the longest turn; but on
 * a machine shared with other jobs (CI, a busy school server) a turn also lasts while the
 * thread waits for a core, which is not the work's doing. Linux counts that wait per thread
 * (/proc/thread-self/schedstat: time on a core, time waiting for one), so for each turn of a
 * 1 ms timer:
 *
 * - `longestTurnCpuMs`: the time on a core — the thread's own work (a statement of the
 *   embedded database, parsing, scoring), the same figure on an idle laptop and on a CI
 *   machine shared with other jobs; it misses blocking system calls (an fsync);
 * - `longestTurnMs`: wall-clock time less the time spent waiting for a core, so blocking
 *   system calls count too; on a crowded machine it still counts the main thread waiting for
 *   the garbage collector's helper threads, which wait for a core themselves.
 *
 * Where schedstat is missing both fall back to the wall-clock maximum of monitorEventLoopDelay.
 * `delayP99Ms` / `delayMaxMs` are that wall-clock figure, waiting for a core included.
 */
export interface LoopStalls {
  longestTurnCpuMs: number
  longestTurnMs: number
  /** Turns in which the thread ran longer than 50 ms on a core. */
  turnsOver50Ms: number
  delayP99Ms: number
  delayMaxMs: number
  /** 'schedstat', or 'wall' where it is missing. */
  source: 'schedstat' | 'wall'
}

const SCHEDSTAT = '/proc/thread-self/schedstat'

/** [ms on a core, ms waiting for one] of the calling thread. */
function schedstat(): [number, number] | undefined {
  try {
    const [run, wait] = readFileSync(SCHEDSTAT, 'utf8').split(' ')
    return [Number(run) / 1e6, Number(wait) / 1e6]
  } catch {
    return undefined
  }
}

export function watchLoopStalls(): { stop(): LoopStalls } {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  let last = schedstat()
  let lastAt = performance.now()
  const available = last !== undefined
  let longest = 0
  let longestCpu = 0
  let over50 = 0
  let timer: NodeJS.Timeout | undefined
  const sample = () => {
    const now = schedstat()
    const at = performance.now()
    if (now && last) {
      const cpu = now[0] - last[0]
      const held = at - lastAt - (now[1] - last[1])
      longest = Math.max(longest, held)
      longestCpu = Math.max(longestCpu, cpu)
      if (cpu > 50) over50++
    }
    last = now
    lastAt = at
    timer = setTimeout(sample, 1)
  }
  timer = setTimeout(sample, 1)
  return {
    stop() {
      clearTimeout(timer)
      histogram.disable()
      const ms = (ns: number) => Math.round(ns / 1e5) / 10
      const delayMaxMs = ms(histogram.max)
      const round = (x: number) => Math.round(x * 10) / 10
      return {
        longestTurnMs: available ? round(longest) : delayMaxMs,
        longestTurnCpuMs: available ? round(longestCpu) : delayMaxMs,
        turnsOver50Ms: over50,
        delayP99Ms: ms(histogram.percentile(99)),
        delayMaxMs,
        source: available ? 'schedstat' : 'wall',
      }
    },
  }
}
