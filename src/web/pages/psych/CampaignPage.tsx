import { useRef, useState } from 'react'
import { Alert, App, Button, Card, Descriptions, Progress, Space, Table, Tabs, Tag, Typography } from 'antd'
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons'
import { useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, ApiError, download, upload, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { ApiProblem, Fields, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { BulkActions, ResponseActions } from './screening-actions'
import { ConsentTab, pendingReview } from './ConsentTab'

interface RowError { row: number; field: string; reason: string }
interface ImportJob {
  id: string
  status: 'running' | 'succeeded' | 'failed'
  phase: 'reading' | 'validating' | 'writing' | 'done'
  processed: number
  total: number
  errors: RowError[]
  errorCount: number
  code: string | null
  message?: string | null
  headers?: { expected: string[]; found: string[]; missing: string[]; unknown: string[] } | null
  result: { rows: number; responses: number; inserted: number; alreadyOnFile: number; crisisEventsOpened: number } | null
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * 导入测评结果: the file goes up as the request body (upload progress), the server answers
 * with an import job, and the page polls it (processed / total) until it succeeds or lists
 * the rows it refused. Scores are computed by the server, never read from the file.
 */
/** What the file's headers should have been and what they were, beside the server's message. */
function HeaderProblem({ headers }: { headers: NonNullable<ImportJob['headers']> }) {
  const { t } = useI18n()
  const list = (xs: string[]) => (xs.length ? xs.map((h, i) => <Tag key={`${h}-${i}`}>{h}</Tag>) : t('psy.import.none'))
  return (
    <Descriptions size="small" column={1} bordered data-testid="import-headers"
      items={[
        { key: 'expected', label: t('psy.import.expected'), children: list(headers.expected) },
        { key: 'found', label: t('psy.import.found'), children: list(headers.found) },
        ...(headers.missing.length ? [{ key: 'missing', label: t('psy.import.missing'), children: list(headers.missing) }] : []),
        ...(headers.unknown.length ? [{ key: 'unknown', label: t('psy.import.unknown'), children: list(headers.unknown) }] : []),
      ]} />
  )
}

/** 下载导入模板: one button per instrument of the campaign (the server builds the file from its definition). */
function TemplateButtons({ instrumentIds }: { instrumentIds: string[] }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const instruments = useApi<Page<Row>>(routes.instruments, { limit: 100 })
  const names = new Map((instruments.data?.items ?? []).map((i) => [String(i.id), asText(i.code)]))
  return (
    <Space wrap>
      {instrumentIds.map((id) => (
        <Button key={id} icon={<DownloadOutlined aria-hidden />} data-testid="import-template"
          onClick={() => void download(routes.instrumentTemplate(id), 'template.xlsx').catch((e: unknown) => message.error(e instanceof ApiError ? e.message : String(e)))}>
          {instrumentIds.length > 1 && names.get(id) ? t('psy.import.templateOf', { name: names.get(id)! }) : t('psy.import.template')}
        </Button>
      ))}
    </Space>
  )
}

/** The campaign's questionnaires by name; wording not yet clinically reviewed says so. */
function InstrumentNames({ instrumentIds }: { instrumentIds: string[] }) {
  const { t, locale } = useI18n()
  const instruments = useApi<Page<Row>>(routes.instruments, { limit: 100, includeDefinition: 'true' })
  const byId = new Map((instruments.data?.items ?? []).map((i) => [String(i.id), i]))
  return (
    <Space wrap data-testid="campaign-instruments">
      {instrumentIds.map((id) => byId.get(id)).filter((i): i is Row => !!i).map((i) => (
        <span key={String(i.id)}>
          {asText(locale === 'en' ? i.nameEn : i.nameZh, asText(i.code))}
          {pendingReview(i) && <Tag color="orange" style={{ marginInlineStart: 6 }} data-testid="pending-review">{t('instrument.pendingReview')}</Tag>}
        </span>
      ))}
    </Space>
  )
}

function ImportBox({ campaignId, instrumentIds, onDone }: { campaignId: string; instrumentIds: string[]; onDone: () => void }) {
  const { t } = useI18n()
  const input = useRef<HTMLInputElement>(null)
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'processing' | 'done' | 'failed'>('idle')
  const [fraction, setFraction] = useState(0)
  const [job, setJob] = useState<ImportJob | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  async function start() {
    const file = input.current?.files?.[0]
    if (!file) return
    setPhase('uploading')
    setFraction(0)
    setError(null)
    setJob(null)
    const type = /\.xlsx$/i.test(file.name) ? XLSX : 'text/csv'
    try {
      let j = await upload<ImportJob>(routes.campaignImport(campaignId), file, type, (f) => {
        setFraction(f)
        if (f >= 1) setPhase('processing')
      })
      setPhase('processing')
      setJob(j)
      while (j.status === 'running') {
        await sleep(400)
        j = await api<ImportJob>(routes.importJob(j.id))
        setJob(j)
      }
      setPhase(j.status === 'succeeded' ? 'done' : 'failed')
      if (j.status === 'succeeded') onDone()
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)))
      setPhase('failed')
    }
  }

  const serverShare = job && job.total > 0 ? job.processed / job.total : 0
  // Upload is the first fifth of the bar, the server's work the rest.
  const percent = phase === 'done' ? 100 : phase === 'uploading' ? Math.round(fraction * 20) : Math.round(20 + serverShare * 80)
  const rowErrors = job?.errors ?? []
  return (
    <Card title={<h2 className="xa-card-title">{t('campaign.import')}</h2>} data-testid="import-box">
      <div className="xa-stack">
        <Typography.Paragraph type="secondary">{t('campaign.importHelp')}</Typography.Paragraph>
        <div><TemplateButtons instrumentIds={instrumentIds} /></div>
        <Space wrap>
          <label htmlFor="import-file">{t('campaign.chooseFile')}</label>
          <input id="import-file" ref={input} type="file" accept={`.csv,.xlsx,text/csv,${XLSX}`} />
          <Button type="primary" icon={<UploadOutlined aria-hidden />} onClick={() => void start()} loading={phase === 'uploading' || phase === 'processing'}>{t('common.submit')}</Button>
        </Space>
        {phase !== 'idle' && (
          <div aria-live="polite" data-testid="import-progress">
            <Progress percent={percent} status={phase === 'failed' ? 'exception' : phase === 'done' ? 'success' : 'active'} aria-label={t('campaign.uploading')} />
            <Typography.Text type="secondary">
              {phase === 'uploading' && t('campaign.uploading')}
              {phase === 'processing' && `${t('campaign.processing')}${job ? `：${job.processed} / ${job.total}` : ''}`}
            </Typography.Text>
          </div>
        )}
        {phase === 'done' && job?.result && (
          <Alert type="success" showIcon data-testid="import-done" title={t('campaign.importDone', { n: job.result.responses })} description={<Fields record={job.result} />} />
        )}
        {error && <ApiProblem error={error} />}
        {phase === 'failed' && job && (
          <div role="alert" className="xa-stack" data-testid="import-failed">
            {/* Row errors under their heading; any other refusal (the headers, an empty file) in the server's words. */}
            {rowErrors.length > 0
              ? <Alert type="error" showIcon title={t('campaign.rowErrors')} description={job.message ?? undefined} />
              : <Alert type="error" showIcon title={job.headers ? t('psy.import.headersTitle') : t('psy.import.failed')} description={job.message ?? undefined} />}
            {job.headers && <HeaderProblem headers={job.headers} />}
            {rowErrors.length > 0 && (
              <Table<RowError> size="small" data-testid="import-errors" rowKey={(r, i) => `${r.row}-${r.field}-${i}`} dataSource={rowErrors} pagination={rowErrors.length > 20 ? { pageSize: 20 } : false}
                columns={[
                  { key: 'row', dataIndex: 'row', title: t('campaign.row') },
                  { key: 'field', dataIndex: 'field', title: t('campaign.field') },
                  { key: 'reason', dataIndex: 'reason', title: t('campaign.reason') },
                ]} />
            )}
          </div>
        )}
      </div>
    </Card>
  )
}

export default function CampaignPage() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const campaign = useApi<Row>(routes.campaign(id))
  const responses = useApi<Page<Row>>(routes.campaignResponses(id), { limit: 500 })
  const coverage = useApi<{ classes: Row[]; totals: Row }>(routes.campaignCoverage(id))
  const [selected, setSelected] = useState<string[]>([])
  return (
    <Section loaded={campaign}>
      {(c) => (
        <div className="xa-stack">
          <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{asText(c.name, t('campaign.title'))}</Typography.Title>
          <Card>
            <div className="xa-stack">
              <Fields record={c} enums={{ status: 'campaignStatus' }} />
              <InstrumentNames instrumentIds={(c.instrumentIds as string[] | undefined) ?? []} />
            </div>
          </Card>
          <Tabs defaultActiveKey="overview" items={[
            { key: 'overview', label: t('consent.overviewTab'), children: (
        <div className="xa-stack">
          <Card title={<h2 className="xa-card-title">{t('campaign.coverage')}</h2>} data-testid="campaign-coverage">
            <Section loaded={coverage}>
              {(cv) => (
                <div className="xa-stack">
                  <Progress percent={Math.round(Number(cv.totals.rate ?? 0) * 100)} format={() => `${String(cv.totals.screened)} / ${String(cv.totals.enrolled)}`} aria-label={t('campaign.coverage')} />
                  <RecordTable rows={cv.classes.map((c) => ({ ...c, id: c.classId, rate: c.rate === null ? null : `${Math.round(Number(c.rate) * 100)}%` }))}
                    order={['className', 'enrolled', 'screened', 'noConsent', 'notScreened', 'rate']} />
                </div>
              )}
            </Section>
          </Card>
          <ImportBox campaignId={id} instrumentIds={(c.instrumentIds as string[] | undefined) ?? []} onDone={() => { responses.reload(); coverage.reload() }} />
          <Card title={<h2 className="xa-card-title">{t('campaign.results')}</h2>}>
            {responses.error ? <ApiProblem error={responses.error} /> : (
              <Section loaded={responses} empty={(p) => p.items.length === 0}>
                {(p) => (
                  <div className="xa-stack">
                    <BulkActions selected={p.items.filter((r) => selected.includes(String(r.id)))} onDone={() => { setSelected([]); responses.reload() }} />
                    <RecordTable data-testid="campaign-results" rows={p.items}
                      order={['studentId', 'instrumentCode', 'totalScore', 'band', 'suggestedRisk', 'confirmedRisk', 'safetyFlag', 'screenedOn']}
                      render={{ studentId: (_v, r) => <StudentRef row={r} /> }} enums={{ band: 'band' }}
                      rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
                      extra={[{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => <ResponseActions response={r} onDone={responses.reload} /> }]} />
                  </div>
                )}
              </Section>
            )}
          </Card>
        </div>
            ) },
            { key: 'consent', label: <span data-testid="consent-tab-label">{t('consent.tab')}</span>, children: (
              <Section loaded={coverage}>
                {(cv) => <ConsentTab campaignId={id} classes={cv.classes} onChanged={coverage.reload} />}
              </Section>
            ) },
          ]} />
        </div>
      )}
    </Section>
  )
}
