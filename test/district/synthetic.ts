/** The synthetic district generator lives with the benchmarks (scripts/bench/synthetic.ts, issue 9). */
export * from '../../scripts/bench/synthetic.js'
