import { REFERRAL_STATE_LABELS, type ReferralState } from '../support/referral-rules.js'
import { RISK_TEXT, isRiskLevel } from '../screening/risk-levels.js'
import type { TransferContent } from './schemas.js'

/** The file's name inside the archive: a print-ready page any browser opens. */
export const EXPORT_FILE_NAME = '转学档案.html'

const STEP_TITLES: Record<string, string> = {
  warningSigns: '预警信号', copingStrategies: '自我应对', socialDistractions: '转移注意的人和场所',
  helpContacts: '可以求助的人', professionals: '专业人员和机构', environmentSafety: '让环境更安全', reasonsForLiving: '活下去的理由',
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const risk = (v: string | null | undefined) => (v && isRiskLevel(v) ? `${RISK_TEXT[v].colour}（${RISK_TEXT[v]['zh-CN']}）` : '无')

export interface ExportMeta {
  fromSchool: string
  toSchool: string
  preparedOn: string
  consent: { guardian: string; method: string; date: string }
}

/** The package as one Chinese page for print, holding only the chosen parts. */
export function transferHtml(c: TransferContent, meta: ExportMeta): string {
  const sections: string[] = []
  if (c.openRisk) {
    sections.push(`<h2>当前风险</h2><table>
<tr><th>个案风险等级</th><td>${esc(risk(c.openRisk.caseRisk))}</td><th>开案日期</th><td>${esc(c.openRisk.caseOpenedOn ?? '—')}</td></tr>
<tr><th>关注名单等级</th><td>${esc(risk(c.openRisk.careListRisk))}</td><th>列入日期</th><td>${esc(c.openRisk.careListSince ?? '—')}</td></tr></table>`)
  }
  if (c.safetyPlan !== undefined) {
    sections.push(c.safetyPlan
      ? `<h2>安全计划（第 ${c.safetyPlan.version} 版，${esc(c.safetyPlan.savedOn)}）</h2>` + Object.entries(c.safetyPlan.steps).map(([k, items]) =>
        `<h3>${esc(STEP_TITLES[k] ?? k)}</h3><ul>${items.map((i) => `<li>${esc(i)}</li>`).join('') || '<li>（未填写）</li>'}</ul>`).join('')
      : '<h2>安全计划</h2><p>无生效中的安全计划。</p>')
  }
  if (c.referrals) {
    sections.push(`<h2>未结束的转介</h2>${c.referrals.length ? `<table><tr><th>机构</th><th>日期</th><th>状态</th></tr>${c.referrals.map((r) =>
      `<tr><td>${esc(r.institution)}</td><td>${esc(r.date)}</td><td>${esc(REFERRAL_STATE_LABELS[r.state as ReferralState]?.['zh-CN'] ?? '')}</td></tr>`).join('')}</table>` : '<p>无。</p>'}`)
  }
  if (c.summary !== undefined) sections.push(`<h2>情况摘要</h2><p class="note">${esc(c.summary ?? '')}</p>`)
  const p = c.pupil ?? {}
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>学生心理档案转学材料</title>
<style>body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2cm;line-height:1.6}table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #333;padding:4px 8px;text-align:left}th{background:#f2f2f2;width:18%}.note{white-space:pre-wrap}
.conf{border:2px solid #a00;padding:6px 10px;color:#a00}@media print{body{margin:1.5cm}}</style></head>
<body><h1>学生心理档案转学材料</h1>
<p class="conf">保密材料：仅供接收学校心理教师使用，不得复制或转交他人。</p>
<table><tr><th>姓名</th><td>${esc(p.name ?? '')}</td><th>学籍号</th><td>${esc(p.nationalId ?? '')}</td></tr>
<tr><th>性别</th><td>${p.gender === 'M' ? '男' : p.gender === 'F' ? '女' : ''}</td><th>出生日期</th><td>${esc(p.birthDate ?? '')}</td></tr>
<tr><th>转出学校</th><td>${esc(meta.fromSchool)}</td><th>转入学校</th><td>${esc(meta.toSchool)}</td></tr>
<tr><th>监护人同意</th><td>${esc(meta.consent.guardian)}（${esc(meta.consent.method)}）</td><th>同意日期</th><td>${esc(meta.consent.date)}</td></tr>
<tr><th>制作日期</th><td colspan="3">${esc(meta.preparedOn)}</td></tr></table>
${sections.join('\n')}
</body></html>`
}

/** zip.js loads with the first archive (it is rarely made); in the server there are no web workers to hand the encryption to, it runs inline. */
let zipJs: Promise<typeof import('@zip.js/zip.js')> | undefined
function zipLibrary(): Promise<typeof import('@zip.js/zip.js')> {
  return (zipJs ??= import('@zip.js/zip.js').then((z) => {
    z.configure({ useWebWorkers: false })
    return z
  }))
}

/** A zip holding the page, encrypted with AES-256 under the teacher's password. */
export async function sealedArchive(html: string, password: string): Promise<Uint8Array> {
  const { TextReader, Uint8ArrayWriter, ZipWriter } = await zipLibrary()
  const zip = new ZipWriter(new Uint8ArrayWriter(), { password, encryptionStrength: 3, zipCrypto: false })
  await zip.add(EXPORT_FILE_NAME, new TextReader(html))
  return zip.close()
}
