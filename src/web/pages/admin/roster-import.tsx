import { useRef, useState } from 'react'
import { Alert, App, Button, Drawer, Progress, Space, Spin, Statistic, Table, Typography } from 'antd'
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { ApiError, download, upload } from '../../api/client'
import { routes } from '../../api/routes'
import { ApiProblem } from '../../components/common'
import { asApiError } from '../../components/forms'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

interface RowError { row: number; field: string; label?: string; reason: string }
interface Preview { rows: number; toCreate: number; toUpdate: number; unchanged: number; badRows: number; errors: RowError[]; truncated: boolean }
interface Outcome { created: number; updated: number; unchanged: number; rows: number }

type Stage = 'idle' | 'uploading' | 'checking' | 'preview' | 'writing' | 'done' | 'failed'

/** 下载导入模板 (.xlsx, with a CSV link beside it): the server's template, so headers never drift from the importer. */
export function TemplateButtons() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const get = (ext: 'xlsx' | 'csv') => download(ext === 'xlsx' ? routes.rosterTemplateXlsx : routes.rosterTemplateCsv, `学生名册导入模板.${ext}`)
    .catch((e: unknown) => { void message.error(asApiError(e).message) })
  return (
    <Space size={4}>
      <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void get('xlsx')} data-testid="roster-template">{t('roster.template')}</Button>
      <Button type="link" onClick={() => void get('csv')} data-testid="roster-template-csv">{t('roster.templateCsv')}</Button>
    </Space>
  )
}

function withoutColumn(r: RowError): string {
  for (const name of [r.label, r.field]) {
    for (const sep of ['：', ': ']) if (name && r.reason.startsWith(name + sep)) return r.reason.slice(name.length + sep.length)
  }
  return r.reason
}

/** The bad rows, by row number, column and reason; nothing has been written while these show. */
function RowErrors({ errors, badRows, truncated }: { errors: RowError[]; badRows: number; truncated: boolean }) {
  const { t, locale } = useI18n()
  return (
    <div role="alert" className="xa-stack" data-testid="roster-import-errors">
      <Alert type="error" showIcon title={t('roster.badRowsTitle', { n: badRows })}
        description={truncated ? t('roster.badRowsTruncated', { shown: errors.length, n: badRows }) : undefined} />
      <Table<RowError> size="small" rowKey={(r, i) => `${r.row}-${r.field}-${i ?? 0}`} dataSource={errors}
        pagination={errors.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
        columns={[
          { key: 'row', title: t('roster.row'), width: 90, render: (_: unknown, r: RowError) => t('roster.rowN', { n: r.row }) },
          // The file's headers are Chinese: an English reader gets the column's name and the header to look for.
          { key: 'field', title: t('roster.column'), width: 180, render: (_: unknown, r: RowError) => (locale === 'en' && r.label && r.label !== r.field ? `${r.label} (${r.field})` : r.field) },
          // The server's reason names its column for readers without this table; here the column is beside it.
          { key: 'reason', title: t('roster.reason'), render: (_: unknown, r: RowError) => withoutColumn(r) },
        ]} />
    </div>
  )
}

/**
 * 批量导入: choose a file → it goes up with ?dryRun=true and every row is checked (nothing
 * written) → the counts and every bad row → "导入 N 名学生" only when no row is bad → the
 * same file goes up for real (upload progress, then the server's work) → the result.
 */
export function ImportDrawer({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useI18n()
  const input = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [stage, setStage] = useState<Stage>('idle')
  const [fraction, setFraction] = useState(0)
  const [preview, setPreview] = useState<Preview | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [rejected, setRejected] = useState<{ errors: RowError[]; count: number } | null>(null)

  const busy = stage === 'uploading' || stage === 'checking' || stage === 'writing'
  const typeOf = (f: File) => (/\.xlsx$/i.test(f.name) ? XLSX : 'text/csv')

  function reset() {
    setFile(null)
    setStage('idle')
    setPreview(null)
    setOutcome(null)
    setError(null)
    setRejected(null)
    if (input.current) input.current.value = ''
  }

  async function send<T>(f: File, next: Stage, dryRun: boolean): Promise<T> {
    setFraction(0)
    setStage('uploading')
    return upload<T>(routes.studentsImport, f, typeOf(f), (x) => {
      setFraction(x)
      if (x >= 1) setStage(next)
    }, dryRun ? { dryRun: 'true' } : undefined)
  }

  async function check(f: File) {
    reset()
    setFile(f)
    if (!/\.(xlsx|csv)$/i.test(f.name)) {
      setError(new ApiError(0, 'file_type', t('roster.fileType')))
      setStage('failed')
      return
    }
    try {
      setPreview(await send<Preview>(f, 'checking', true))
      setStage('preview')
    } catch (e) {
      setError(asApiError(e))
      setStage('failed')
    }
  }

  async function commit() {
    if (!file) return
    setError(null)
    try {
      setOutcome(await send<Outcome>(file, 'writing', false))
      setStage('done')
      onImported()
    } catch (e) {
      const err = asApiError(e)
      // The roster changed between the preview and the import: the refusal lists rows like the preview did.
      const details = err.details as { errors?: RowError[] } | undefined
      if (err.code === 'import_rejected' && details?.errors) setRejected({ errors: details.errors, count: details.errors.length })
      setError(err)
      setStage('failed')
    }
  }

  const toWrite = preview ? preview.toCreate + preview.toUpdate : 0
  return (
    <Drawer open={open} onClose={() => { if (!busy) onClose() }} title={t('roster.importTitle')} size={760} data-testid="roster-import" maskClosable={!busy}>
      <div className="xa-stack">
        <Typography.Paragraph type="secondary">{t('roster.importHelp')}</Typography.Paragraph>
        <TemplateButtons />
        <Space wrap>
          <Button type="primary" icon={<UploadOutlined aria-hidden />} disabled={busy} onClick={() => input.current?.click()} data-testid="roster-choose">
            {file ? t('roster.another') : t('roster.chooseFile')}
          </Button>
          {/* The real input stays in the page for keyboard users' and tests' sake; the button opens it. */}
          <input ref={input} type="file" aria-label={t('roster.chooseFile')} accept={`.xlsx,.csv,${XLSX},text/csv`} style={{ display: 'none' }}
            data-testid="roster-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void check(f) }} />
          {file && <Typography.Text type="secondary">{t('roster.chosen', { name: file.name })}</Typography.Text>}
        </Space>

        {busy && (
          <div aria-live="polite" data-testid="roster-import-progress" data-stage={stage}>
            {stage === 'uploading'
              ? <Progress percent={Math.round(fraction * 100)} status="active" aria-label={t('roster.uploading')} />
              // The server answers in one piece: its part is shown as work in progress, not as a made-up percentage.
              : <Progress percent={100} status="active" showInfo={false} aria-label={t(stage === 'writing' ? 'roster.writing' : 'roster.checking')} />}
            <Space>
              {stage !== 'uploading' && <Spin size="small" />}
              <Typography.Text type="secondary">
                {t(stage === 'uploading' ? 'roster.uploading' : stage === 'writing' ? 'roster.writing' : 'roster.checking')}
              </Typography.Text>
            </Space>
          </div>
        )}

        {preview && stage !== 'done' && (
          <div className="xa-stack" data-testid="roster-preview">
            <Space size="large" wrap>
              <Statistic title={t('roster.previewRows')} value={preview.rows} />
              <Statistic title={t('roster.previewCreate')} value={preview.toCreate} />
              <Statistic title={t('roster.previewUpdate')} value={preview.toUpdate} />
              <Statistic title={t('roster.previewUnchanged')} value={preview.unchanged} />
              <Statistic title={t('roster.previewBad')} value={preview.badRows} styles={preview.badRows ? { content: { color: '#cf1322' } } : undefined} />
            </Space>
            {preview.badRows > 0
              ? <RowErrors errors={preview.errors} badRows={preview.badRows} truncated={preview.truncated} />
              : toWrite === 0
                ? <Alert type="info" showIcon title={t('roster.nothingToDo')} />
                : (
                  <>
                    <Alert type="success" showIcon title={t('roster.readyTitle')} />
                    <div>
                      <Button type="primary" size="large" onClick={() => void commit()} loading={busy} disabled={busy} data-testid="roster-import-commit">
                        {t('roster.importN', { n: toWrite })}
                      </Button>
                    </div>
                  </>
                )}
          </div>
        )}

        {stage === 'done' && outcome && (
          <Alert type="success" showIcon role="status" data-testid="roster-import-done"
            title={t('roster.importDone', { created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged })} />
        )}
        {stage === 'failed' && error && (
          <div className="xa-stack">
            {preview && <Alert type="error" showIcon title={t('roster.importFailed')} />}
            {rejected
              ? <RowErrors errors={rejected.errors} badRows={rejected.count} truncated={false} />
              : <ApiProblem error={error} />}
          </div>
        )}
      </div>
    </Drawer>
  )
}
