import { useState } from 'react'
import { Button, Radio, Space, Spin } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { ApiProblem } from '../../components/common'

import type { Contact, PlanContent } from './SafetyPlanSection'

interface PrintData extends PlanContent {
  schoolName: string
  studentName: string
  version: number
  versionDate: string
  printedOn: string
  hotlines: Array<{ name: string; phone: string }>
}

type Paper = 'A5' | 'A4'

/**
 * The printed page's own rules: the chosen paper size, no screen chrome, each step kept whole.
 * A5 is the size a student keeps in a bag or a drawer; A4 for a larger print or a wall.
 */
function printRules(paper: Paper): string {
  const a5 = paper === 'A5'
  return `
.sp-sheet { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; color: #000; background: #fff;
  max-width: ${a5 ? '148mm' : '210mm'}; margin: 12px auto; padding: ${a5 ? '10mm 9mm' : '16mm 15mm'}; box-shadow: 0 0 6px rgba(0,0,0,.2);
  font-size: ${a5 ? '10pt' : '12pt'}; line-height: 1.5; }
.sp-sheet h1 { text-align: center; font-size: ${a5 ? '15pt' : '19pt'}; letter-spacing: .2em; margin: 0 0 2mm; }
.sp-sheet .sp-meta { display: flex; justify-content: space-between; flex-wrap: wrap; font-size: ${a5 ? '9pt' : '10pt'}; margin-bottom: 3mm; }
.sp-sheet section { border: 1px solid #000; border-radius: 2mm; padding: 1.5mm 3mm; margin-bottom: 2mm; break-inside: avoid; page-break-inside: avoid; }
.sp-sheet h2 { font-size: ${a5 ? '11pt' : '13pt'}; margin: 0 0 1mm; break-after: avoid; page-break-after: avoid; }
.sp-sheet ul { margin: 0; padding-inline-start: 5mm; }
.sp-sheet .sp-blank { border-bottom: 1px solid #888; height: 6mm; }
.sp-sheet .sp-hotlines { border-width: 2px; }
.sp-sheet .sp-hotlines ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 2mm 8mm; font-size: ${a5 ? '12pt' : '14pt'}; font-weight: bold; }
@page { size: ${paper}; margin: ${a5 ? '8mm' : '14mm'}; }
@media print {
  .xa-no-print { display: none !important; }
  body { background: #fff; }
  .sp-sheet { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  .sp-sheet section { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`
}

function Step({ title, entries, testId }: { title: string; entries: string[]; testId: string }) {
  return (
    <section data-testid={testId}>
      <h2>{title}</h2>
      {entries.length ? <ul>{entries.map((e, i) => <li key={i}>{e}</li>)}</ul> : <div className="sp-blank" />}
    </section>
  )
}

/** 2026-12-06 → 2026年12月6日 */
function chineseDay(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso
}

const contactLine = (c: Contact) => (c.phone ? `${c.name}：${c.phone}` : c.name)

/**
 * 安全计划 as the student takes it home: Chinese, the six steps, the reasons for living and the
 * emergency numbers, on A5 or A4. The server sends only what the card shows (audited as an
 * export); the browser's own print (the button or Ctrl+P) prints the sheet alone.
 */
export default function SafetyPlanPrint() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const [paper, setPaper] = useState<Paper>('A5')
  const data = useApi<PrintData>(routes.safetyPlanPrint(id))
  if (data.error) return <div className="xa-print"><ApiProblem error={data.error} /></div>
  if (!data.data) return <div className="xa-loading"><Spin /></div>
  const d = data.data
  // The card is for the student: its headings stay Chinese whatever the teacher's screen language.
  return (
    <div className="xa-safety-plan-page">
      <style>{printRules(paper)}</style>
      <Space className="xa-no-print" style={{ margin: 16 }} wrap>
        <Button onClick={() => window.history.back()}>{t('common.back')}</Button>
        <span>{t('spPrint.paper')}：</span>
        <Radio.Group value={paper} onChange={(e) => setPaper(e.target.value as Paper)} optionType="button" data-testid="sp-paper"
          options={[{ value: 'A5', label: 'A5' }, { value: 'A4', label: 'A4' }]} />
        <Button type="primary" icon={<PrinterOutlined aria-hidden />} onClick={() => window.print()}>{t('common.print')}</Button>
      </Space>
      <article className="sp-sheet" lang="zh-CN" data-testid="sp-sheet" data-paper={paper}>
        <h1>我的安全计划</h1>
        <div className="sp-meta">
          <span>姓名：{d.studentName}</span>
          {d.schoolName && <span>学校：{d.schoolName}</span>}
          <span>第 {d.version} 版（{chineseDay(d.versionDate)}）</span>
        </div>
        <Step testId="sp-print-step1" title="第一步 预警信号：出现这些时，我要用这份计划" entries={d.warningSigns} />
        <Step testId="sp-print-step2" title="第二步 我自己可以做的事" entries={d.copingStrategies} />
        <Step testId="sp-print-step3" title="第三步 能让我分散注意力的人和地方" entries={d.socialDistractions} />
        <Step testId="sp-print-step4" title="第四步 我可以求助的人" entries={d.helpContacts.map(contactLine)} />
        <Step testId="sp-print-step5" title="第五步 专业人员和机构" entries={d.professionals.map(contactLine)} />
        <Step testId="sp-print-step6" title="第六步 让我的环境更安全" entries={d.environmentSafety} />
        <Step testId="sp-print-reasons" title="我活下去的理由" entries={d.reasonsForLiving} />
        <section className="sp-hotlines" data-testid="sp-print-hotlines">
          <h2>紧急求助电话（感到撑不住时，请立刻拨打或告诉身边的大人）</h2>
          <ul>{d.hotlines.map((h) => <li key={h.phone}>{h.name} {h.phone}</li>)}</ul>
        </section>
        <div className="sp-meta"><span>打印日期：{chineseDay(d.printedOn)}</span></div>
      </article>
    </div>
  )
}
