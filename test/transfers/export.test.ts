import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { TextWriter, Uint8ArrayReader, ZipReader, configure } from '@zip.js/zip.js'
import { cases, students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'
import { rosterWorld } from '../roster/fixtures.js'

configure({ useWebWorkers: false })

/** 校外转学: the same minimum for a school outside XinAn, as an AES-256 zip only the chosen password opens. */
t.test('the encrypted export for a school outside XinAn', async (t) => {
  const w = await rosterWorld()
  const { A, psych, homeroom } = w
  const pupil = (await w.database.db.insert(students).values({
    schoolId: A.schoolId, classId: A.classIds[0]!, studentNo: 'EX1', name: '校外转学生', gender: 'M', birthDate: '2012-03-04', nationalId: 'G440101201203040044',
  }).returning())[0]!
  await withNotesSchool(w.database.db, A.schoolId, () => w.database.db.insert(cases).values({ schoolId: A.schoolId, studentId: pupil.id, source: 'screening', riskLevel: 'red', summary: '不随档案转出的个案摘要' }))
  const body = {
    parts: ['open_risk', 'summary'], summary: '需持续关注<情绪>', receivingSchoolName: '外省某中学',
    consentGuardian: '父亲 李先生', consentMethod: '电话', consentDate: '2026-11-03', password: 'Correct-horse-42',
  }
  const res = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfer-export`, body)
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  t.match(res.headers['content-type'], /application\/zip/)
  t.equal(res.headers['cache-control'], 'no-store')
  const bytes = new Uint8Array(res.rawPayload)
  t.notOk(Buffer.from(bytes).includes(Buffer.from('校外转学生')), 'the name is not in the archive in the clear')

  const open = async (password: string) => {
    const zip = new ZipReader(new Uint8ArrayReader(bytes), { password })
    try {
      const [entry] = await zip.getEntries()
      if (!entry || entry.directory) throw new Error('no file in the archive')
      t.ok(entry.encrypted, 'the entry is encrypted')
      return await entry.getData(new TextWriter())
    } finally {
      await zip.close()
    }
  }
  const html = await open('Correct-horse-42')
  t.match(html, /学生心理档案转学材料/)
  t.match(html, /校外转学生/)
  t.match(html, /G440101201203040044/)
  t.match(html, /红（高危）/, 'the open risk in words')
  t.match(html, /需持续关注&lt;情绪&gt;/, 'the summary, escaped')
  t.match(html, /外省某中学/)
  t.match(html, /父亲 李先生（电话）/)
  t.notMatch(html, /不随档案转出的个案摘要/, 'nothing beyond the chosen parts')
  t.notMatch(html, /安全计划|未结束的转介/, 'parts not chosen are absent')
  await t.rejects(open('wrong-password-1'), 'a wrong password does not open it')

  const audit = await queryRows<{ action: string; resource: string; student_ids: string[] }>(w.database.db,
    sql`select action, resource, student_ids from audit_log where action = 'E' and resource = 'student_transfers' order by seq desc limit 1`)
  t.same(audit[0]?.student_ids, [pupil.id], 'audited as an export, ids only')

  const short = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfer-export`, { ...body, password: 'short' })
  t.equal(short.statusCode, 400)
  t.match(short.json().message, /密码/)
  const noConsent = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfer-export`, { ...body, consentGuardian: undefined })
  t.equal(noConsent.statusCode, 400)
  t.match(noConsent.json().message, /同意的监护人/)
  t.equal((await w.call(homeroom, 'POST', `/api/v1/students/${pupil.id}/transfer-export`, body)).statusCode, 404, 'not a homeroom teacher\'s')
})
