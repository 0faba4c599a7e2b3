/** The synthetic district generator lives with the benchmarks (scripts/bench/synthetic.ts). */
export * from '../../scripts/bench/synthetic.js'
