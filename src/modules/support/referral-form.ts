import { eq } from 'drizzle-orm'
import { guardians } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Conflict } from '../../lib/errors.js'
import { isoDay, textOf } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'

/** What the receiving institution needs, and nothing else: no case history, no scores, no notes. */
export interface ReferralFormData {
  referralNo: string
  schoolName: string
  printedOn: string
  institution: { name: string; department: string | null; address: string | null; contactPhone: string | null }
  student: { name: string; gender: string; birthDate: string | null }
  guardian: { name: string; relation: string; phone: string | null } | null
  reason: string
  consentOn: string | null
  teacherName: string
}

/** A line to write on by hand. */
const BLANK = '<span class="blank">&nbsp;</span>'

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** 2013-05-01 → 2013年5月1日 */
export function chineseDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number)
  return `${y}年${m}月${d}日`
}

function ageOn(birth: string, today: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number]
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number]
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

/** 转介单: one A4 page in Chinese with a tear-off receipt; plain HTML and CSS, no script. */
export function renderReferralForm(f: ReferralFormData): string {
  const e = (v: string | null | undefined) => escapeHtml(v ?? '')
  const gender = f.student.gender === 'M' ? '男' : f.student.gender === 'F' ? '女' : ''
  const birth = f.student.birthDate ? `${chineseDate(f.student.birthDate)}（${ageOn(f.student.birthDate, f.printedOn)}岁）` : ''
  const institution = [f.institution.name, f.institution.department].filter(Boolean).join('　')
  const guardian = f.guardian ? `${f.guardian.name}（${f.guardian.relation}）` : ''
  const consent = f.consentOn ? `监护人已知情并同意转介（沟通记录日期：${chineseDate(f.consentOn)}）` : ''
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>学生心理健康转介单 ${e(f.referralNo)}</title>
<style>
@page { size: A4; margin: 16mm 15mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 11pt; color: #000; line-height: 1.5; }
@media screen { body { max-width: 180mm; margin: 10mm auto; } }
h1 { text-align: center; font-size: 18pt; letter-spacing: 0.3em; margin: 0 0 3mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; }
.meta { display: flex; justify-content: space-between; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2mm 3mm; vertical-align: top; text-align: left; }
th { width: 18%; font-weight: normal; background: #f2f2f2; white-space: nowrap; }
.reason { white-space: pre-wrap; min-height: 30mm; }
.sign { height: 12mm; }
.cut { border-top: 1px dashed #000; margin: 8mm 0 3mm; padding-top: 1mm; text-align: center; font-size: 9pt; }
.notice { font-size: 9pt; margin-top: 3mm; }
.blank { display: inline-block; min-width: 40mm; border-bottom: 1px solid #000; }
</style>
</head>
<body>
<h1>学生心理健康转介单</h1>
<div class="meta"><span>转出学校：${f.schoolName ? e(f.schoolName) : BLANK}</span><span>编号：${e(f.referralNo)}</span><span>填表日期：${chineseDate(f.printedOn)}</span></div>
<h2>一、接收机构</h2>
<table>
<tr><th>机构名称</th><td colspan="3">${e(institution)}</td></tr>
<tr><th>地址</th><td>${e(f.institution.address)}</td><th>电话</th><td>${e(f.institution.contactPhone)}</td></tr>
</table>
<h2>二、学生基本信息</h2>
<table>
<tr><th>姓名</th><td>${e(f.student.name)}</td><th>性别</th><td>${gender}</td></tr>
<tr><th>出生日期</th><td>${e(birth)}</td><th>就读学校</th><td>${f.schoolName ? e(f.schoolName) : ''}</td></tr>
<tr><th>监护人</th><td>${e(guardian)}</td><th>监护人电话</th><td>${e(f.guardian?.phone)}</td></tr>
</table>
<h2>三、转介原因</h2>
<table><tr><td class="reason">${e(f.reason)}</td></tr></table>
<h2>四、家长知情同意</h2>
<table>
<tr><th>家长意见</th><td>${e(consent)}</td></tr>
<tr><th>监护人签字</th><td class="sign"></td></tr>
</table>
<h2>五、转介学校</h2>
<table>
<tr><th>转介教师</th><td>${e(f.teacherName)}</td><th>联系电话</th><td></td></tr>
<tr><th>学校（盖章）</th><td colspan="3" class="sign"></td></tr>
</table>
<div class="cut">✂ 以下回执由接收机构填写后交回学校</div>
<h2>接收回执</h2>
<table>
<tr><th>学生姓名</th><td>${e(f.student.name)}</td><th>转介单编号</th><td>${e(f.referralNo)}</td></tr>
<tr><th>接诊日期</th><td></td><th>接诊医生</th><td></td></tr>
<tr><th>返校建议</th><td colspan="3">□ 可正常返校&emsp;□ 建议暂缓返校、继续治疗&emsp;□ 返校后需学校配合：</td></tr>
<tr><th>机构（盖章）</th><td colspan="3" class="sign"></td></tr>
</table>
<p class="notice">本转介单含未成年人个人敏感信息，仅供接收机构诊疗使用，请妥善保管，不得转作他用。回执只需填写学校配合所需的信息，无需提供诊断细节。</p>
</body>
</html>
`
}

export function createReferralFormService(gw: Gateway) {
  /** The school's own name, printed as the sending school (read through its policy, like every field). */
  async function ownSchoolName(tx: Tx, ctx: RequestContext, schoolId: string): Promise<string> {
    const d = gw.policies.decide(ctx.actor, 'school_profile', 'read')
    const row = d ? await gw.find(tx, d, schoolId) : undefined
    return typeof row?.name === 'string' ? row.name : ''
  }

  return {
    /** Only once the parents have consented; an export of the pupil's record, audited as 'E'. */
    form(ctx: RequestContext, id: string): Promise<string> {
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const referral = await gw.read(tx, ctx.decision, id)
        if (referral.state === 'proposed' || referral.state === 'withdrawn') throw new Conflict('consent_required')
        const studentId = referral.studentId as string
        const student = await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const institution = await gw.read(tx, gw.decision(ctx, 'institutions'), referral.institutionId as string)
        const contactD = gw.policies.decide(ctx.actor, 'parent_contacts', 'read')
        const consent = contactD && referral.consentContactId ? await gw.find(tx, contactD, referral.consentContactId as string) : undefined
        const guardianD = gw.decision(ctx, 'guardians', 'list')
        const { items: family } = await gw.list(tx, guardianD, {
          where: eq(guardians.studentId, studentId), filterFields: ['studentId'],
          sort: [{ field: 'isPrimary', dir: 'desc' }], limit: 20, offset: 0,
        })
        const guardian: Row | undefined = family.find((g) => g.id === consent?.guardianId) ?? family[0]
        const schoolName = await ownSchoolName(tx, ctx, schoolId)
        await gw.audit(tx, ctx, {
          action: 'E', recordIds: [id], studentIds: [studentId],
          fieldGroups: ['referrals.medical', 'students.identity', 'students.personal', 'guardians.identity', 'guardians.contact', 'institutions.directory'],
        })
        return renderReferralForm({
          referralNo: id.slice(0, 8).toUpperCase(),
          schoolName,
          printedOn: gw.today(),
          institution: {
            name: textOf(institution.name), department: (institution.department as string | null) ?? null,
            address: (institution.address as string | null) ?? null, contactPhone: (institution.contactPhone as string | null) ?? null,
          },
          student: { name: textOf(student.name), gender: textOf(student.gender), birthDate: isoDay(student.birthDate) ?? null },
          guardian: guardian ? { name: textOf(guardian.name), relation: textOf(guardian.relation), phone: (guardian.phone as string | null) ?? null } : null,
          reason: textOf(referral.reason),
          consentOn: isoDay(consent?.contactDate) ?? null,
          teacherName: ctx.actor.displayName,
        })
      })
    },
  }
}

export type ReferralFormService = ReturnType<typeof createReferralFormService>
