import type { Test } from 'tap'
import t from '../helpers/tap.js'
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { policies } from '../../policies/index.js'
import { appendAudit } from '../../src/audit/audit.js'
import { queryRows } from '../../src/db/database.js'
import { schoolDay } from '../../src/lib/school-day.js'
import { parseArgs, runComplianceReport } from '../../src/modules/compliance/cli.js'
import { labeller } from '../../src/modules/compliance/labels.js'
import type { ComplianceReportT } from '../../src/modules/compliance/schemas.js'
import { rosterWorld } from '../roster/fixtures.js'

/**
 * The yearly compliance report against the audit rows of a test school: known acts through the
 * API by several roles, then every count of the report compared with a count the test makes
 * itself from audit_log — and no personal value anywhere in the JSON, the .xlsx or the .html.
 */
t.test('the yearly compliance report of a test school', async (t) => {
  const w = await rosterWorld()
  const { database, A, B } = w
  const db = database.db
  const year = Number(schoolDay(new Date(), w.config.TZ_SCHOOL).slice(0, 4))
  const base = '/api/v1/compliance/report'
  const q = `?year=${year}`
  const url = base + q
  const canary = `${Date.now() % 100000}`

  // Pupils of both schools whose names, numbers and ids must never appear in the report.
  const created = async (who: typeof w.admin, classId: string, i: number) => {
    const res = await w.call(who, 'POST', '/api/v1/students', { studentNo: `S${canary}${i}`, name: `合规甲${canary}${i}`, gender: 'F', birthDate: '2013-05-01', classId })
    t.equal(res.statusCode, 201, 'the admin adds a pupil')
    return res.json() as { id: string; name: string; studentNo: string }
  }
  const pupils = [await created(w.admin, A.classIds[0], 1), await created(w.admin, A.classIds[0], 2), await created(w.admin, A.classIds[1], 3)]
  const pupilB = await created(w.adminB, B.classIds[0], 4)

  // Reads, with and without a purpose; a refused attempt; an export; school B's own reads.
  t.equal((await w.call(w.psych, 'GET', `/api/v1/students/${pupils[0]!.id}`, undefined, { 'x-purpose': encodeURIComponent('个案复查') })).statusCode, 200)
  t.equal((await w.call(w.psych, 'GET', `/api/v1/students/${pupils[1]!.id}`)).statusCode, 200)
  t.equal((await w.call(w.homeroom, 'GET', `/api/v1/students?classId=${A.classIds[0]}`)).statusCode, 200)
  t.equal((await w.call(w.homeroom, 'GET', `/api/v1/students/${pupils[2]!.id}`)).statusCode, 404, 'a pupil of another class is out of the homeroom teacher\'s scope')
  t.equal((await w.call(w.monitor, 'GET', `/api/v1/students/${pupils[0]!.id}`)).statusCode, 404, 'a monitor may not read the roster')
  t.equal((await w.call(w.admin, 'GET', '/api/v1/students/export.xlsx')).statusCode, 200, 'the admin exports the roster')
  t.equal((await w.call(w.adminB, 'GET', `/api/v1/students/${pupilB.id}`)).statusCode, 200)
  t.equal((await w.call(w.adminB, 'GET', '/api/v1/students/export.xlsx')).statusCode, 200)

  // What jobs and other modules write: a retention deletion and a transfer, as their audit rows.
  await appendAudit(db, { actorId: null, roles: 'job:retention', action: 'D', resource: 'guardians', recordIds: ['g1', 'g2', 'g3'], studentIds: [], outcome: 'ok', schoolId: A.schoolId })
  await appendAudit(db, { actorId: null, roles: 'job:retention', action: 'D', resource: 'talk_duties', recordIds: ['d1'], studentIds: [], outcome: 'ok', schoolId: A.schoolId })
  await appendAudit(db, { actorId: w.psych.id, roles: 'psych_teacher', action: 'C', resource: 'student_transfers', recordIds: ['t1'], studentIds: [], outcome: 'ok', schoolId: A.schoolId })
  await appendAudit(db, { actorId: w.psych.id, roles: 'psych_teacher', action: 'U', resource: 'student_transfers_received', recordIds: ['t2'], studentIds: [], outcome: 'ok', schoolId: A.schoolId })
  await appendAudit(db, { actorId: null, roles: 'job:retention', action: 'D', resource: 'guardians', recordIds: ['x1'], studentIds: [], outcome: 'ok', schoolId: B.schoolId })

  // Second factor: the psychology teacher has one; a disabled account is not counted.
  await db.execute(sql`update users set totp_enabled_at = now() where id = ${w.psych.id}::uuid`)
  await db.execute(sql`update users set status = 'disabled' where id = ${w.mentor.id}::uuid`)
  await db.execute(sql`update schools set require_second_factor = true where id = ${A.schoolId}::uuid`)

  /** The school's audit rows of the year, counted by the test itself (not by the service's code). */
  async function expected(schoolId: string, upToSeq: number) {
    const rows = await queryRows<{ actor_roles: string; purpose: string | null; action: string; resource: string; outcome: string; record_ids: string[] }>(db, sql`
      select actor_roles, purpose, action, resource, outcome, record_ids from audit_log
      where school_id = ${schoolId}::uuid and seq <= ${upToSeq}
        and extract(year from ts at time zone 'Asia/Shanghai') = ${year}`)
    const tally = (keys: string[]) => {
      const m = new Map<string, number>()
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
      return m
    }
    const ok = rows.filter((r) => r.outcome === 'ok')
    return {
      total: rows.length,
      access: tally(ok.map((r) => `${r.actor_roles}|${r.purpose ?? ''}|${r.action}`)),
      byResource: tally(ok.map((r) => `${r.resource}|${r.action}`)),
      denied: tally(rows.filter((r) => r.outcome !== 'ok').map((r) => `${r.actor_roles}|${r.resource}|${r.outcome}`)),
      exports: tally(ok.filter((r) => r.action === 'E').map((r) => `${r.actor_roles}|${r.resource}`)),
      transfers: tally(rows.filter((r) => r.resource.startsWith('student_transfers')).map((r) => `${r.resource}|${r.action}|${r.outcome}`)),
      retentionRecords: rows.filter((r) => r.actor_roles === 'job:retention' && r.action === 'D').reduce((a, r) => a + r.record_ids.length, 0),
    }
  }
  const asMap = <T>(xs: T[], key: (x: T) => string, n: (x: T) => number) => new Map(xs.map((x) => [key(x), n(x)]))
  const maxSeq = async () => Number((await queryRows<{ s: string | number }>(db, sql`select max(seq) as s from audit_log`))[0]!.s)

  function personalValues(): string[] {
    return [...pupils, pupilB].flatMap((p) => [p.id, p.name, p.studentNo])
      .concat([w.admin, w.psych, w.homeroom, w.adminB].flatMap((u) => [u.id, u.username]))
  }
  function assertNoPersonalValue(t: Test, text: string, what: string) {
    const found = personalValues().filter((v) => text.includes(v))
    t.same(found, [], `${what} holds no pupil's or user's name, number, id or user name`)
  }

  let report: ComplianceReportT
  t.test('the report counts exactly the school\'s audit rows of the year', async (t) => {
    const upTo = await maxSeq()
    const res = await w.call(w.admin, 'GET', url)
    t.equal(res.statusCode, 200)
    report = res.json() as ComplianceReportT
    const e = await expected(A.schoolId, upTo)
    t.equal(report.year, year)
    t.same(asMap(report.access.byRolePurposeAction, (x) => `${x.roles}|${x.purpose ?? ''}|${x.action}`, (x) => x.count), e.access, 'accesses by role, purpose and action')
    t.same(asMap(report.access.byResourceAction, (x) => `${x.resource}|${x.action}`, (x) => x.count), e.byResource, 'accesses by resource and action')
    t.same(asMap(report.denied.rows, (x) => `${x.roles}|${x.resource}|${x.outcome}`, (x) => x.count), e.denied, 'refused attempts')
    t.same(asMap(report.exports.rows, (x) => `${x.roles}|${x.resource}`, (x) => x.count), e.exports, 'exports')
    t.same(asMap(report.transfers.rows, (x) => `${x.resource}|${x.action}|${x.outcome}`, (x) => x.count), e.transfers, 'transfers, as sent and as received')
    t.equal(report.retention.records, e.retentionRecords, 'records deleted at the end of retention')
    t.equal(report.auditChain.schoolRowsInYear, e.total, 'the school\'s rows of the year')

    // The acts above, seen in the figures (so the comparison is not of two empty tables).
    // A teacher's rows name the mentor grant every teacher holds beside their own role.
    const of = (m: Map<string, number>, re: RegExp) => [...m].filter(([k]) => re.test(k)).reduce((a, [, n]) => a + n, 0)
    t.equal(of(e.access, /^psych_teacher(,mentor)?\|个案复查\|R$/), 1, 'the read with a purpose is counted under it')
    t.equal(of(e.denied, /^homeroom_teacher(,mentor)?\|students\|not_found$/), 1, 'the homeroom teacher\'s attempt out of scope is a refused one')
    t.equal(of(e.denied, /^peer_monitor\|students\|denied$/), 1, 'the monitor\'s attempt is a refused one')
    t.equal(e.exports.get('school_admin|students'), 1, 'school A exported its roster once (B\'s export is B\'s)')
    t.equal(report.retention.records, 4, 'B\'s retention deletion is not A\'s')
    t.same(report.retention.rows, [{ resource: 'guardians', events: 1, records: 3 }, { resource: 'talk_duties', events: 1, records: 1 }])
    t.equal(report.retention.purgeAfterDays, w.config.RETENTION_PURGE_AFTER_DAYS)
    t.equal(report.transfers.total, 2)

    const other = await expected(B.schoolId, upTo)
    t.ok(other.total > 0, 'school B has rows of its own')
    t.equal(report.access.total + report.denied.total, e.total, 'every row of A is either an access or a refusal')
  })

  t.test('the data inventory and the access rights come from the policies', async (t) => {
    const students = report.inventory.find((x) => x.resource === 'students')!
    t.equal(students.records, 3, 'school A holds three pupils (B\'s is not counted)')
    t.ok(students.aboutStudents)
    const identity = students.groups.find((g) => g.group === 'identity')!
    t.ok(identity.fields.includes('name'))
    t.ok(identity.readers.some((r) => r.role === 'homeroom_teacher' && r.scope === 'class'), 'a homeroom teacher reads identity in their class')
    t.ok(identity.writers.includes('school_admin'))
    t.notOk(report.inventory.some((x) => x.resource === 'district_stats' || x.resource === 'school_profile'), 'the schools table itself is not the school\'s personal data')
    const cases = report.inventory.find((x) => x.resource === 'cases')!
    t.equal(cases.sensitive, true, 'case records are sensitive')
    // What the encryption at rest declares, not a list of the report's own.
    const { sealedColumns } = await import('../../src/crypto/sealed-columns.js')
    const sealedTables = new Set(sealedColumns.map((c) => c.table))
    t.ok(sealedColumns.some((c) => c.table === 'cases' && c.column === 'summary'), 'case summaries are sealed')
    t.equal(cases.groups.find((g) => g.group === 'summary')!.encrypted, 'all', 'so the group holding them reads as encrypted')
    t.equal(identity.encrypted, 'none', 'a pupil\'s name is not sealed')
    t.ok(report.inventory.filter((e) => sealedTables.has(e.table)).every((e) => e.groups.some((g) => g.encrypted !== 'none')), 'every table with a sealed column shows it')
    t.notOk(report.inventory.some((e) => e.groups.some((g) => g.encrypted === 'unknown')))
    const zh = await labeller('zh-CN')
    const en = await labeller('en')
    const missing: string[] = []
    for (const e of report.inventory) {
      for (const [l, lang] of [[zh, 'zh'], [en, 'en']] as const) {
        if (!l.has(`resource.${e.resource}`)) missing.push(`${lang} resource.${e.resource}`)
        for (const g of e.groups) {
          if (!l.has(`fieldGroup.${g.group}`) && !l.has(`fieldGroup.${e.resource}.${g.group}`)) missing.push(`${lang} fieldGroup.${g.group}`)
          for (const f of g.fields) if (!l.has(`field.${f}`)) missing.push(`${lang} field.${f}`)
          for (const r of g.readers) if (!l.has(`scope.${r.scope}`)) missing.push(`${lang} scope.${r.scope}`)
        }
      }
    }
    t.same(missing, [], 'every table, field group, field and scope of the inventory has words in both languages')
  })

  t.test('second-factor coverage by role', async (t) => {
    const f = report.secondFactor
    t.equal(f.setting, 'on')
    t.equal(f.required, true)
    t.same(f.byRole.find((r) => r.role === 'psych_teacher'), { role: 'psych_teacher', users: 1, enabled: 1 })
    t.same(f.byRole.find((r) => r.role === 'school_admin'), { role: 'school_admin', users: 1, enabled: 0 })
    t.notOk(f.byRole.some((r) => r.role === 'mentor'), 'the disabled mentor account is not counted')
    const [n] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from users where school_id = ${A.schoolId}::uuid and status = 'active'`)
    t.equal(f.total.users, Number(n!.n), 'every active account of the school, once')
    t.equal(f.total.enabled, 1)
  })

  t.test('the audit chain is verified and counted', async (t) => {
    const [n] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from audit_log`)
    t.equal(report.auditChain.ok, true)
    t.ok(report.auditChain.checked > 0 && report.auditChain.checked <= Number(n!.n), 'the rows that existed when it ran')
  })

  t.test('no personal value in the JSON, the .xlsx or the .html, and the exports are audited', async (t) => {
    assertNoPersonalValue(t, JSON.stringify(report), 'the JSON')
    const before = await maxSeq()
    const now = await expected(A.schoolId, before)
    const x = await w.call(w.admin, 'GET', `${base}/export.xlsx${q}`)
    t.equal(x.statusCode, 200)
    t.match(x.headers['content-disposition'], /compliance-\d{4}\.xlsx/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
    const text: string[] = []
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => { text.push(String(c.value ?? '')) })))
    assertNoPersonalValue(t, text.join('\n'), 'the workbook')
    const counts = wb.worksheets.find((ws) => ws.name.includes('按角色'))
    t.ok(counts, 'a sheet of the accesses by role, purpose and action')
    t.equal(counts!.rowCount, 2 + now.access.size, 'a row per role, purpose and action of the audit rows, under a title and a header')
    t.ok(text.includes('心理教师') && text.includes('个案复查'), 'roles and purposes in words')
    t.notOk(text.some((s) => /^(psych_teacher|school_admin|homeroom_teacher|job:retention)$/.test(s)), 'no role code in the workbook')

    const h = await w.call(w.admin, 'GET', `${base}/print.html${q}`)
    t.equal(h.statusCode, 200)
    t.match(h.headers['content-type'], /text\/html/)
    t.match(h.body, /一、数据清单/)
    t.match(h.body, /五、审计链校验/)
    t.match(h.body, /@page \{ size: A4/)
    assertNoPersonalValue(t, h.body, 'the printed page')
    const rows = await queryRows<{ action: string; resource: string; actor_roles: string; school_id: string; record_ids: string[] }>(db, sql`
      select action, resource, actor_roles, school_id, record_ids from audit_log where seq > ${before} and actor_id = ${w.admin.id}::uuid order by seq`)
    t.same(rows.map((r) => [r.action, r.resource, r.actor_roles, r.school_id, r.record_ids]),
      [['E', 'audit_log', 'school_admin', A.schoolId, [String(year)]], ['E', 'audit_log', 'school_admin', A.schoolId, [String(year)]]], 'each export is an audited export of the school')
  })

  t.test('the exports need a recent proof of the login\'s factors', async (t) => {
    await db.execute(sql`update auth_sessions set second_factor_at = now() - interval '1 hour' where user_id = ${w.admin.id}::uuid`)
    t.teardown(() => db.execute(sql`update auth_sessions set second_factor_at = now() where user_id = ${w.admin.id}::uuid`))
    const x = await w.call(w.admin, 'GET', `${base}/export.xlsx${q}`)
    t.equal(x.statusCode, 403)
    t.equal(x.json().code, 'step_up_required')
    t.equal((await w.call(w.admin, 'GET', url)).statusCode, 200, 'the screen itself opens')
  })

  t.test('only the school admin reaches the report: everyone else is refused', async (t) => {
    for (const who of [w.psych, w.homeroom, w.monitor, w.district]) {
      for (const path of [url, `${base}/export.xlsx${q}`, `${base}/print.html${q}`]) {
        const res = await w.call(who, 'GET', path)
        t.equal(res.statusCode, 403, `${path} for a non-admin`)
      }
    }
    const [refused] = await queryRows<{ n: string | number }>(db, sql`
      select count(*) as n from audit_log where actor_id = ${w.psych.id}::uuid and resource = 'audit_log' and outcome = 'denied' and school_id = ${A.schoolId}::uuid`)
    t.equal(Number(refused!.n), 3, 'each refusal is audited in the school\'s rows')
    const bad = await w.call(w.admin, 'GET', `${base}?year=1999`)
    t.equal(bad.statusCode, 400, 'a year out of range is refused')
    t.match(bad.json(), { code: 'validation_failed' })
    t.match(bad.json().message, /年/, 'naming the year in words')
    const b = (await w.call(w.adminB, 'GET', url)).json() as ComplianceReportT
    t.equal(b.inventory.find((x) => x.resource === 'students')!.records, 1, 'school B\'s admin gets school B\'s report')
    t.equal(b.retention.records, 1)
    assertNoPersonalValue(t, JSON.stringify(b), 'school B\'s report')
  })

  t.test('the command line writes both files for one school', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'xinan-compliance-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const [code] = await queryRows<{ code: string }>(db, sql`select code from schools where id = ${A.schoolId}::uuid`)
    const args = parseArgs(['--year', String(year), '--school', code!.code, '--out', join(dir, 'report.xlsx')])
    const results = await runComplianceReport(database, w.config, policies, args)
    t.equal(results.length, 1)
    t.ok(existsSync(join(dir, 'report.xlsx')) && existsSync(join(dir, 'report.html')), 'the .xlsx and the .html beside it')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(readFileSync(join(dir, 'report.xlsx')) as unknown as ArrayBuffer)
    t.ok(wb.worksheets.length >= 6, 'the workbook parses, a sheet per table')
    const html = readFileSync(join(dir, 'report.html'), 'utf8')
    assertNoPersonalValue(t, html, 'the command\'s page')
    t.equal(results[0]!.report.inventory.find((x) => x.resource === 'students')!.records, 3)
    const [last] = await queryRows<{ actor_roles: string; action: string; school_id: string }>(db, sql`select actor_roles, action, school_id from audit_log order by seq desc limit 1`)
    t.same(last, { actor_roles: 'job:compliance-report', action: 'E', school_id: A.schoolId }, 'the command\'s export is audited in the school\'s rows')

    t.throws(() => parseArgs(['--year', '26']), /--year/)
    t.throws(() => parseArgs(['--year', '2026', '--out', 'x.pdf']), /--out/)
    t.throws(() => parseArgs(['--year', '2026', '--bogus']), /--bogus/)
    await t.rejects(runComplianceReport(database, w.config, policies, { year, school: 'no-such-school' }), /no school/)
  })
})
