import t from '../helpers/tap.js'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { getTableName } from 'drizzle-orm'
import * as schema from '../../db/schema/index.js'
import { policies } from '../../policies/index.js'

/**
 * Every write of a policy resource's table goes through the access gateway (src/access/gateway.ts),
 * which checks the writable fields, puts the policy's row filter in the statement and queues the
 * audit row. This scans the server's source for a write to such a table anywhere else — a drizzle
 * insert/update/delete naming the table, or raw SQL inserting into, updating or deleting from it —
 * and fails naming the file and line. The few writers that act for no request (nightly jobs,
 * installation, the demo data, the sign-in of the caller's own account, the audit chain) are
 * listed below with the reason; a new entry needs one.
 */

const ROOT = join(import.meta.dirname, '..', '..')

interface Allowed { file: string; table: string; why: string }
const ALLOWED: Allowed[] = [
  { file: 'src/jobs/', table: '*', why: 'nightly and scheduled jobs act for no request; they audit as the system (src/jobs/job-audit.ts)' },
  { file: 'src/setup/', table: '*', why: 'installation creates the district, the school and its first administrator before anyone can sign in' },
  { file: 'src/demo/', table: '*', why: 'the demo data is written by `npm start`/`npm run seed:demo` as the owner, not by a request' },
  { file: 'src/audit/', table: 'audit_log', why: 'the audit chain is appended by its own database functions only' },
  { file: 'src/modules/auth/', table: 'users', why: "the caller's own sign-in record (password, last sign-in), before any role applies" },
  { file: 'src/modules/talks/fulfilment.ts', table: 'talk_duties', why: "duties are the system's bookkeeping: a log fulfils its duty by one matching rule shared with the nightly job; the log service audits the change as the caller's (U on talk_duties)" },
  { file: 'src/modules/transfers/transfer-service.ts', table: 'notifications', why: "a transfer's notice to the other school is written in that school's own transaction, where the caller has no roles; the audit row there names the caller" },
  { file: 'src/modules/screening/repository.ts', table: 'instruments', why: 'the built-in questionnaires are installed when the app starts, for every school' },
]

interface Target { variable: string; sqlName: string }

function targets(): Target[] {
  const byTable = new Map<unknown, string>()
  for (const [name, value] of Object.entries(schema)) byTable.set(value, name)
  const out: Target[] = []
  for (const p of policies) {
    const variable = byTable.get(p.table)
    if (!variable) throw new Error(`policy ${p.resource}: its table is not exported from db/schema`)
    if (!out.some((o) => o.variable === variable)) out.push({ variable, sqlName: getTableName(p.table) })
  }
  return out
}

export interface Violation { file: string; line: number; table: string; text: string }

/** Writes of the given tables in one source file (exported for the self-check below). */
export function writesIn(file: string, source: string, tables: Target[]): Violation[] {
  const found: Violation[] = []
  const lines = source.split('\n')
  for (const { variable, sqlName } of tables) {
    const patterns = [
      new RegExp(`\\.(insert|update|delete)\\(\\s*(schema\\.)?${variable}\\b`),
      new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+(\\$\\{\\s*(schema\\.)?${variable}\\s*\\}|"?${sqlName}"?)(\\s|\\(|$)`, 'i'),
    ]
    lines.forEach((text, i) => {
      const code = text.replace(/\/\/.*$/, '')
      if (/^\s*(\*|\/\*)/.test(code)) return
      if (patterns.some((re) => re.test(code))) found.push({ file, line: i + 1, table: sqlName, text: text.trim() })
    })
  }
  return found
}

function sources(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name === 'web' && dir.endsWith('src')) continue
      out.push(...sources(path))
    } else if (name.endsWith('.ts')) out.push(path)
  }
  return out
}

function allowed(v: Violation): boolean {
  return ALLOWED.some((a) => (v.file === a.file || (a.file.endsWith('/') && v.file.startsWith(a.file))) && (a.table === '*' || a.table === v.table))
}

const tables = targets()

t.test('the scanner finds each kind of write (self-check)', async (t) => {
  const some = tables.filter((x) => ['cases', 'talk_logs'].includes(x.sqlName))
  t.equal(some.length, 2)
  const src = [
    'await tx.insert(cases).values(v)',
    'await tx.update(talkLogs).set({ summary })',
    'await ex.delete(schema.cases).where(w)',
    'await tx.execute(sql`insert into ${talkLogs} (id) values (1)`)',
    "await tx.execute(sql`update cases set state = 'closed'`)",
    'await tx.execute(sql`delete from talk_logs where id = ${id}`)',
    'await tx.select().from(cases) // reads are fine',
    '// tx.insert(cases) in a comment is fine',
    'await tx.update(casesArchive).set({})',
  ].join('\n')
  const found = writesIn('x.ts', src, some)
  t.same(found.map((f) => f.line).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6], 'six writes found, no read, comment or other table')
})

t.test('no service writes a policy resource outside the gateway', async (t) => {
  const all: Violation[] = []
  for (const path of sources(join(ROOT, 'src'))) {
    const file = relative(ROOT, path).split('\\').join('/')
    if (file === 'src/access/gateway.ts') continue
    all.push(...writesIn(file, readFileSync(path, 'utf8'), tables).filter((v) => !allowed(v)))
  }
  const byArea = new Map<string, Violation[]>()
  for (const v of all) {
    const area = v.file.split('/').slice(0, v.file.startsWith('src/modules/') ? 3 : 2).join('/')
    byArea.set(area, [...(byArea.get(area) ?? []), v])
  }
  for (const [area, vs] of byArea) {
    t.fail(`${area}: ${vs.length} write(s) outside the gateway:\n${vs.map((v) => `  ${v.file}:${v.line} ${v.table}: ${v.text}`).join('\n')}`)
  }
  t.equal(all.length, 0, 'every write of a policy table goes through src/access/gateway.ts')
})
