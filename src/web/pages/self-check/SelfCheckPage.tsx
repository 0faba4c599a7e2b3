import { useEffect, useMemo, useState } from 'react'
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, Radio, Select, Space, Table, Tag, Typography } from 'antd'
import { FileExcelOutlined, FileTextOutlined, PrinterOutlined, SaveOutlined, TeamOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, download, showHtml, type Page, type Query } from '../../api/client'
import { routes } from '../../api/routes'
import { useAuth } from '../../api/session'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { useFailure, WriteError } from '../practices/shared'

type Status = 'met' | 'flagged' | 'missing' | 'outside'

interface ReportItem {
  code: string
  point: string
  tasks: string[]
  method: string
  status: Status
  text: string
  flags: string[]
  remark: string
}

interface Report {
  schoolName: string
  period: { kind: 'term' | 'school_year'; key: string; from: string; to: string; label: string }
  asOf: string
  checklist: { id: string; title: string; source: string; wordingNote: string }
  items: ReportItem[]
  counts: Record<Status, number>
  record: { highlights?: string | null; problems?: string | null; inspector?: string | null; inspectedOn?: string | null; remarks?: Record<string, string> } | null
}

const STATUS_COLOUR: Record<Status, string> = { met: 'green', flagged: 'orange', missing: 'red', outside: 'default' }

interface Parts { highlights?: string; problems?: string; inspector?: string; inspectedOn?: Dayjs | null }

/** The school year a day falls in: September starts a new one. */
function schoolYearOf(d: Date): string {
  const y = d.getFullYear()
  const start = d.getMonth() >= 8 ? y : y - 1
  return `${start}-${start + 1}`
}

/**
 * 学校自查 (school admin fills in; psychology teachers read): the inspection checklist with each
 * item's 具体落实情况 counted from the records, the school's own parts, and the exports.
 */
export default function SelfCheckPage() {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const fail = useFailure()
  const { roles } = useAuth()
  const canWrite = roles.includes('school_admin')
  const terms = useApi<Page<Row>>(routes.terms, { limit: 200 })
  const termList = useMemo(() => [...(terms.data?.items ?? [])].sort((a, b) => String(b.startDate).localeCompare(String(a.startDate))), [terms.data])
  const years = useMemo(() => {
    const set = new Set(termList.map((x) => String(x.schoolYear)))
    set.add(schoolYearOf(new Date()))
    return [...set].sort().reverse()
  }, [termList])
  const [kind, setKind] = useState<'term' | 'school_year'>('term')
  const [termId, setTermId] = useState<string | undefined>()
  const [year, setYear] = useState<string>(schoolYearOf(new Date()))
  const [surveyYear, setSurveyYear] = useState<number>(new Date().getFullYear())

  // The term in progress (or the latest one) is chosen first.
  useEffect(() => {
    if (termId || termList.length === 0) return
    const today = dayjs().format('YYYY-MM-DD')
    const current = termList.find((x) => String(x.startDate) <= today && String(x.endDate) >= today) ?? termList[0]
    setTermId(String(current!.id))
  }, [termList, termId])
  useEffect(() => { if (terms.data && termList.length === 0) setKind('school_year') }, [terms.data, termList.length])

  const query: Query | null = kind === 'term' ? (termId ? { termId } : null) : { schoolYear: year }
  const report = useApi<Report>(query ? routes.selfCheck : null, query ?? undefined)
  const [form] = Form.useForm<Parts>()
  const [remarks, setRemarks] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    const r = report.data?.record
    form.setFieldsValue({
      highlights: r?.highlights ?? '', problems: r?.problems ?? '', inspector: r?.inspector ?? '',
      inspectedOn: r?.inspectedOn ? dayjs(r.inspectedOn) : null,
    })
    setRemarks(Object.fromEntries((report.data?.items ?? []).map((it) => [it.code, it.remark])))
  }, [report.data, form])

  async function save(v: Parts) {
    if (!query) return
    setBusy(true)
    setError(null)
    try {
      await api(routes.selfCheck, {
        method: 'PUT', query,
        body: {
          highlights: v.highlights ?? '', problems: v.problems ?? '', inspector: v.inspector ?? '',
          inspectedOn: v.inspectedOn ? v.inspectedOn.format('YYYY-MM-DD') : null, remarks,
        },
      })
      message.success(t('selfCheck.saved'))
      report.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  /** Opens a print-ready page of the API in a new window (opened first, so no pop-up blocker stops it). */
  async function openHtml(path: string) {
    if (!query) return
    const w = window.open('', '_blank')
    if (!w) {
      message.warning(t('selfCheck.popupBlocked'))
      return
    }
    try {
      const html = await api<string>(path, { query })
      showHtml(w, html)
      message.info(t('selfCheck.printHint'))
    } catch (e) {
      w.close()
      fail(e)
    }
  }

  const exportXlsx = async () => { if (query) await download(routes.selfCheckXlsx, 'self-check.xlsx', query).catch(fail) }
  const exportSurvey = async () => { await download(routes.staffingSurvey, 'staffing-survey.xlsx', { year: surveyYear }).catch(fail) }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('selfCheck.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('selfCheck.help')}</Typography.Paragraph>
      {!canWrite && <Alert type="info" showIcon title={t('selfCheck.readOnly')} />}
      <Card size="small">
        <Space wrap align="center">
          <span>{t('selfCheck.by')}</span>
          <Radio.Group value={kind} onChange={(e) => setKind(e.target.value as 'term' | 'school_year')} optionType="button" data-testid="period-kind"
            options={[{ value: 'term', label: t('selfCheck.byTerm'), disabled: termList.length === 0 }, { value: 'school_year', label: t('selfCheck.byYear') }]} />
          {kind === 'term'
            ? <Select style={{ minWidth: 240 }} aria-label={t('selfCheck.term')} value={termId} onChange={setTermId} data-testid="term-pick"
              options={termList.map((x) => ({ value: String(x.id), label: String(x.name) }))} placeholder={t('selfCheck.pickPeriod')} />
            : <Select style={{ minWidth: 180 }} aria-label={t('selfCheck.year')} value={year} onChange={setYear} data-testid="year-pick"
              options={years.map((y) => ({ value: y, label: t('selfCheck.yearLabel', { year: y }) }))} />}
        </Space>
        {terms.data && termList.length === 0 && <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>{t('selfCheck.noTerms')}</Typography.Paragraph>}
      </Card>

      {query && (
        <Section loaded={report}>
          {(r) => (
            <>
              <Card size="small">
                <Typography.Paragraph style={{ marginBottom: 4 }} strong>{r.schoolName} {r.checklist.title}</Typography.Paragraph>
                <Typography.Paragraph style={{ marginBottom: 4 }}>{t('selfCheck.period', { label: r.period.label, from: formatDate(r.period.from, locale), to: formatDate(r.period.to, locale), asOf: formatDate(r.asOf, locale) })}</Typography.Paragraph>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('selfCheck.source', { source: r.checklist.source, note: r.checklist.wordingNote })}</Typography.Paragraph>
                <Space wrap data-testid="self-check-counts">
                  {(['met', 'flagged', 'missing', 'outside'] as const).map((s) => <Tag key={s} color={STATUS_COLOUR[s]}>{t(`selfCheck.status.${s}`)} {r.counts[s]}</Tag>)}
                </Space>
                <Space wrap style={{ marginTop: 12 }}>
                  <Button icon={<FileExcelOutlined aria-hidden />} onClick={() => void exportXlsx()} data-testid="export-xlsx">{t('selfCheck.exportXlsx')}</Button>
                  <Button icon={<PrinterOutlined aria-hidden />} onClick={() => void openHtml(routes.selfCheckPrint)} data-testid="print">{t('selfCheck.print')}</Button>
                  <Button icon={<FileTextOutlined aria-hidden />} onClick={() => void openHtml(routes.selfCheckReport)} data-testid="report">{t('selfCheck.report')}</Button>
                  <Space.Compact>
                    <InputNumber aria-label={t('selfCheck.surveyYear')} min={2000} max={2200} value={surveyYear} onChange={(v) => setSurveyYear(v ?? new Date().getFullYear())} style={{ width: 96 }} />
                    <Button icon={<TeamOutlined aria-hidden />} onClick={() => void exportSurvey()} data-testid="survey">{t('selfCheck.survey')}</Button>
                  </Space.Compact>
                </Space>
              </Card>
              <Table<ReportItem> size="small" rowKey="code" dataSource={r.items} pagination={false} bordered data-testid="self-check-table" scroll={{ x: 'max-content' }}
                columns={[
                  { key: 'code', title: t('selfCheck.col.code'), dataIndex: 'code', width: 56, align: 'center' },
                  { key: 'point', title: t('selfCheck.col.point'), dataIndex: 'point', width: 110 },
                  { key: 'tasks', title: t('selfCheck.col.tasks'), width: 300, render: (_: unknown, it) => (
                    <ol style={{ margin: 0, paddingInlineStart: 18 }}>{it.tasks.map((x, i) => <li key={i}>{x}</li>)}</ol>
                  ) },
                  { key: 'facts', title: t('selfCheck.col.facts'), width: 460, render: (_: unknown, it) => (
                    <div data-testid={'item-' + it.code}>
                      <Tag color={STATUS_COLOUR[it.status]}>{t(`selfCheck.status.${it.status}`)}</Tag>
                      <span>{it.text}</span>
                      {it.flags.length > 0 && <ul style={{ margin: '4px 0 0', paddingInlineStart: 18, color: '#ad4e00' }}>{it.flags.map((f, i) => <li key={i}>{f}</li>)}</ul>}
                    </div>
                  ) },
                  { key: 'remark', title: t('selfCheck.col.remark'), width: 220, render: (_: unknown, it) => (canWrite
                    ? <Input.TextArea aria-label={`${t('selfCheck.col.remark')}：${it.point}`} autoSize={{ minRows: 1, maxRows: 6 }} maxLength={1000} placeholder={t('selfCheck.remarkPlaceholder')}
                      value={remarks[it.code] ?? ''} onChange={(e) => setRemarks((m) => ({ ...m, [it.code]: e.target.value }))} />
                    : <span>{it.remark}</span>) },
                ]} />
              <Card size="small" title={t('selfCheck.schoolParts')}>
                <WriteError error={error} />
                <Form form={form} layout="vertical" onFinish={(v) => void save(v)} disabled={!canWrite}>
                  <Form.Item name="highlights" label={t('selfCheck.highlights')}><Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} maxLength={5000} /></Form.Item>
                  <Form.Item name="problems" label={t('selfCheck.problems')}><Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} maxLength={5000} /></Form.Item>
                  <Space wrap>
                    <Form.Item name="inspector" label={t('selfCheck.inspector')}><Input maxLength={100} style={{ width: 220 }} /></Form.Item>
                    <Form.Item name="inspectedOn" label={t('selfCheck.inspectedOn')}><DatePicker /></Form.Item>
                  </Space>
                  {canWrite && <Button type="primary" htmlType="submit" icon={<SaveOutlined aria-hidden />} loading={busy} data-testid="save-self-check">{t('selfCheck.save')}</Button>}
                </Form>
              </Card>
            </>
          )}
        </Section>
      )}
    </div>
  )
}
