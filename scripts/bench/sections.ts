/**
 * The sections of `npm run bench`, in the order they run. Each is a function of
 * { quick, url } returning Metric[] whose names end in _embedded / _server. `headline` names
 * (without the suffix) are reported as -1 when the section fails.
 */
import type { Metric, SectionOptions } from './common.js'

export interface Section {
  key: string
  title: string
  /** Minutes before the orchestrator gives up on it (quick, full). */
  timeoutMin: [number, number]
  headline: string[]
  /** Runs only when asked for (`--scale`, or named in `--only`). */
  optIn?: boolean
  run(opts: SectionOptions): Promise<Metric[]>
}

export const sections: Section[] = [
  {
    key: 'district',
    title: '§1 synthetic district + §4 district tables',
    timeoutMin: [6, 30],
    headline: ['synthetic_rows', 'synthetic_copy_rows_per_s', 'district_cold_p50_ms', 'district_p50_ms', 'district_p99_ms'],
    run: async (o) => (await import('./district.js')).benchDistrict(o),
  },
  {
    key: 'read',
    title: '§2 audited read and the case page vs bare read (notes sealed vs in the clear)',
    timeoutMin: [4, 6],
    headline: ['bare_read_rps', 'audited_read_rps', 'audited_read_ratio', 'case_page_rps', 'case_page_ratio', 'case_page_sealed_vs_plain', 'note_open_us'],
    run: async (o) => (await import('./audited-read.js')).benchAuditedRead(o),
  },
  {
    key: 'write',
    title: '§2 audited talk-log POST vs bare INSERT',
    timeoutMin: [3, 5],
    headline: ['bare_write_rps', 'audited_write_rps', 'audited_write_ratio'],
    run: async (o) => (await import('./audited-write.js')).benchAuditedWrite(o),
  },
  {
    key: 'import',
    title: '§3 screening import vs raw COPY',
    timeoutMin: [4, 20],
    headline: ['import_rows_per_s', 'copy_rows_per_s', 'import_copy_ratio', 'peak_rss_import_mb'],
    run: async (o) => (await import('./screening-import.js')).benchScreeningImport(o),
  },
  {
    key: 'duties',
    title: '§5 三个必谈 duty generation',
    timeoutMin: [4, 15],
    headline: ['duty_gen_s_100k'],
    run: async (o) => (await import('./duties.js')).benchDuties(o),
  },
  {
    key: 'scale',
    title: 'scale run: 三个必谈 generation, 1,000,000 students by default (set-based seed)',
    timeoutMin: [60, 60],
    headline: ['scale_duty_gen_s'],
    optIn: true,
    run: async (o) => (await import('./duties-scale.js')).benchDutiesScale(o),
  },
  {
    key: 'start',
    title: '§6 cold start of npm start, idle RSS',
    timeoutMin: [5, 8],
    headline: ['cold_start_ms', 'cold_start_first_ms', 'idle_rss_mb'],
    run: async (o) => (await import('./cold-start.js')).benchColdStart(o),
  },
  {
    key: 'fsync',
    title: 'durable embedded commits: fsync on vs off',
    timeoutMin: [4, 8],
    headline: ['commits_per_s_fsync', 'commits_per_s_nofsync', 'fsyncs_per_commit'],
    run: async (o) => (await import('./durability.js')).benchDurability(o),
  },
]

export const sectionByKey = new Map(sections.map((s) => [s.key, s]))
