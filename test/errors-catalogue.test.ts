import t from './helpers/tap.js'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { messageOf } from '../src/lib/i18n.js'
import { fieldName } from '../src/lib/field-names.js'
import { detailWords, humanParams } from '../src/lib/error-words.js'
import { sharedTestApp, createSchool, createUser, injectAs, login } from './helpers/app.js'

/**
 * Every API error code has a zh-CN and an English message; a message names the field
 * or value concerned in words; the client shows the message, never the code. The codes are
 * found in the sources themselves, so a new `throw new Conflict('…')` without its messages
 * fails here.
 */
const SRC = resolve(import.meta.dirname, '../src')
const CJK = /[\u4e00-\u9fff]/

function sources(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    // Not answers of the API: the web client, the set-up command (its errors carry their own
    // bilingual text for the terminal) and the instruments' band codes.
    if (statSync(p).isDirectory()) { if (!['web', 'setup', 'instruments'].includes(f)) sources(p, out) } else if (/\.ts$/.test(f)) out.push(p)
  }
  return out
}

/** Every error code the server can answer with, as written in its sources. */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>()
  const add = (code: string, file: string) => { if (!found.has(code)) found.set(code, relative(SRC, file)) }
  // The first argument of a typed error, an AppError's second, errorBody's third; a code chosen
  // by a ternary counts each way (`cond ? 'a' : 'b'`).
  const ARG = String.raw`((?:[^()]|\([^()]*\))*?)(?:,|\))`
  const patterns = [
    new RegExp(String.raw`new (?:Validation|Conflict|Forbidden|Unauthorized|TooMany)\(` + ARG, 'g'),
    new RegExp(String.raw`new AppError\(\s*\d+\s*,` + ARG, 'g'),
    new RegExp(String.raw`super\(\s*\d+\s*,` + ARG, 'g'),
    new RegExp(String.raw`errorBody\([^,]+,\s*[^,]+,` + ARG, 'g'),
    new RegExp(String.raw`translate\(` + ARG, 'g'),
  ]
  for (const file of sources(SRC)) {
    const src = readFileSync(file, 'utf8')
    for (const re of patterns) {
      for (const m of src.matchAll(re)) {
        const arg = m[1]!.trim()
        const direct = /^'([a-z][a-z0-9_]*)'$/.exec(arg)
        if (direct) add(direct[1]!, file)
        for (const alt of arg.matchAll(/[?:]\s*'([a-z][a-z0-9_]*)'/g)) add(alt[1]!, file)
      }
    }
    // Codes in details: `code: 'x'`, `reason: 'x'`, a row's `fail(column, 'import_x')`.
    for (const m of src.matchAll(/\b(?:code|reason):\s*'([a-z]+_[a-z0-9_]+)'/g)) add(m[1]!, file)
    for (const m of src.matchAll(/\bfail\([^,()]+,\s*'([a-z]+_[a-z0-9_]+)'/g)) add(m[1]!, file)
    for (const m of src.matchAll(/\bcode\s*=\s*[^\n]*\?\s*'([a-z]+_[a-z0-9_]+)'\s*:\s*[^\n]*?'([a-z]+_[a-z0-9_]+)'\s*:\s*'([a-z]+_[a-z0-9_]+)'/g)) for (const c of m.slice(1)) add(c!, file)
  }
  return found
}

t.test('every error code in the sources has a zh-CN and an English message', async (t) => {
  const codes = thrownCodes()
  for (const known of ['not_found', 'validation_failed', 'invalid_transition', 'crisis_not_open', 'crisis_resolved', 'student_no_not_in_class', 'import_required', 'route_not_found']) {
    t.ok(codes.has(known), `the scan finds ${known}`)
  }
  t.ok(codes.size > 80, `codes found: ${codes.size}`)
  const missing: string[] = []
  for (const [code, file] of codes) {
    const zh = messageOf(code, 'zh-CN')
    const en = messageOf(code, 'en')
    if (!zh || !en) missing.push(`${code} (${file})`)
    else if (!CJK.test(zh) && code !== 'invalid_fields') missing.push(`${code}: the Chinese message has no Chinese`)
  }
  t.same(missing, [], 'codes without both messages')
})

t.test('parameters of a message are words, not codes', async (t) => {
  t.equal(humanParams('invalid_transition', { state: 'handled' }, 'zh-CN').state, '已处理')
  t.equal(humanParams('invalid_transition', { state: 'in_progress' }, 'en').state, 'in progress')
  t.equal(humanParams('duplicate', { what: 'care_list' }, 'zh-CN').what, '关注名单')
  t.equal(humanParams('duplicate', { what: 'studentNo' }, 'zh-CN').what, '学号')
  t.equal(humanParams('role_needs_class', { role: 'homeroom_teacher' }, 'zh-CN').role, '班主任')
  t.equal(humanParams('case_transition_not_allowed', { from: 'closed', to: 'monitoring' }, 'zh-CN').from, '已结案')
  t.equal(humanParams('field_not_writable', { fields: 'talkDate, windowKey' }, 'zh-CN').fields, '谈话日期、谈话周期')
  t.equal(detailWords([{ field: 'body.talkDate', issue: 'invalid_format' }], 'zh-CN'), '谈话日期（格式不正确）')
  t.equal(detailWords({ fields: ['startDate', 'endDate'] }, 'zh-CN'), '开始日期、结束日期')
  t.equal(detailWords([{ field: 'body', issue: 'unrecognized_keys', keys: ['isAdmin'] }], 'zh-CN'), '表单中没有的字段')
  t.equal(fieldName('body.items.3.studentNo', 'zh-CN'), '学号')
})

t.test('every field of every route’s body and query has a name in both languages', async (t) => {
  const { app } = await sharedTestApp()
  const spec = app.swagger() as { paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> }; parameters?: Array<{ in: string; name: string }> }>> }
  const names = new Set<string>()
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object') return
    const o = s as Record<string, unknown>
    if (o.properties && typeof o.properties === 'object') for (const [k, v] of Object.entries(o.properties)) { names.add(k); walk(v) }
    for (const k of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties']) {
      const v = o[k]
      if (Array.isArray(v)) v.forEach(walk)
      else walk(v)
    }
  }
  for (const ops of Object.values(spec.paths ?? {})) {
    for (const op of Object.values(ops)) {
      walk(op.requestBody?.content?.['application/json']?.schema)
      for (const p of op.parameters ?? []) if (p.in === 'query') names.add(p.name)
    }
  }
  t.ok(names.size > 100, `fields found: ${names.size}`)
  const missing = [...names].filter((n) => !fieldName(n, 'zh-CN') || !fieldName(n, 'en') || !CJK.test(fieldName(n, 'zh-CN')!))
  t.same(missing, [], 'request fields without a name')
})

t.test('a validation error names the field in Chinese (and in English on request)', async (t) => {
  const { app, database } = await sharedTestApp()
  const school = await createSchool(database)
  const teacher = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }])
  const token = (await login(app, teacher.username)).accessToken
  const bad = { studentId: '00000000-0000-4000-8000-000000000000', talkDate: '5 December', kind: 'other' }
  const zh = await injectAs(app, token, { method: 'POST', url: '/api/v1/talks/logs', payload: bad })
  t.equal(zh.statusCode, 400)
  t.equal(zh.json().code, 'validation_failed')
  t.match(zh.json().message, /^提交的数据有误：谈话日期（/, zh.json().message)
  t.notMatch(zh.json().message, /talkDate|body\./, 'never the field’s code')
  const en = await injectAs(app, token, { method: 'POST', url: '/api/v1/talks/logs', payload: bad, headers: { 'accept-language': 'en' } })
  t.match(en.json().message, /^The request data is invalid: Date of talk \(/, en.json().message)
  const login400 = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 42, password: 'x' } })
  t.match(login400.json().message, '用户名', 'the sign-in form too')
})

t.test('the client shows the message, never the code', async (t) => {
  const web = resolve(SRC, 'web')
  const offenders: string[] = []
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (/\.tsx?$/.test(f)) {
        const src = readFileSync(p, 'utf8')
        // A code rendered as text: `${e.code}`, {error.code} in JSX, or code + message joined.
        if (/\$\{\s*\w+\.code\s*\}|>\s*\{\s*\w+\.code\s*\}|\{\s*\w+\.code\s*\}\s*[:：]/.test(src)) offenders.push(relative(web, p))
      }
    }
  }
  walk(web)
  t.same(offenders, [], 'files that render an error code')
})
