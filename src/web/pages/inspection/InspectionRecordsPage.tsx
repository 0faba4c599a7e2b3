import { useRef, useState } from 'react'
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Radio, Select, Space, Table, Tabs, Typography } from 'antd'
import { DeleteOutlined, DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, ApiError, download, upload, type Page } from '../../api/client'
import { useAuth } from '../../api/session'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { DialogButton, FormDialog, isoDay, Popconfirm, useRequired } from '../../components/forms'
import { useFailure } from '../practices/shared'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_BYTES = 10 * 1_048_576
const GROUP_ROLES = ['leader', 'deputy', 'member'] as const
const REACHES = ['school', 'grade', 'class'] as const

/** The file's bytes as base64, for the JSON upload. */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(typeof r.result === 'string' ? r.result.replace(/^data:[^,]*,/, '') : '')
    r.onerror = () => reject(r.error ?? new Error('read'))
    r.readAsDataURL(file)
  })
}

/** Uploads a chosen file as a 督导资料 document; the new document's id. */
async function uploadDocument(file: File): Promise<string> {
  const doc = await api<Row>(routes.inspectionDocuments, { method: 'POST', body: { fileName: file.name, content: await base64Of(file) } })
  return String(doc.id)
}

/** A file chooser inside a form: the value is the chosen File. */
function FileField({ id, value, onChange, testId }: { id?: string; value?: File | null; onChange?: (f: File | null) => void; testId?: string }) {
  const { t } = useI18n()
  const input = useRef<HTMLInputElement>(null)
  const [tooBig, setTooBig] = useState(false)
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Button icon={<UploadOutlined aria-hidden />} onClick={() => input.current?.click()}>{t('records.chooseFile')}</Button>
        <span data-testid={testId ? `${testId}-name` : undefined}>{value ? value.name : t('records.noFile')}</span>
      </Space>
      <input id={id} ref={input} type="file" hidden data-testid={testId} aria-label={t('records.chooseFile')}
        onChange={(e) => {
          const f = e.target.files?.[0] ?? null
          const big = !!f && f.size > MAX_BYTES
          setTooBig(big)
          onChange?.(big ? null : f)
        }} />
      {tooBig && <Alert type="error" showIcon title={t('records.fileTooBig')} />}
    </Space>
  )
}

/** A download button for one document (its own name comes from the server). */
function DocLink({ id, name }: { id: unknown; name?: string }) {
  const { t } = useI18n()
  const fail = useFailure()
  if (typeof id !== 'string') return <span>—</span>
  return (
    <Button size="small" type="link" icon={<DownloadOutlined aria-hidden />} onClick={() => { download(routes.inspectionDocument(id), name ?? 'file').catch(fail) }}>
      {name ?? t('records.download')}
    </Button>
  )
}

/** Staff names for the records that name an account (not fetched for a teacher who reads only their own). */
function useStaffNames(enabled = true) {
  const users = useApi<Page<Row>>(enabled ? routes.users : null, { limit: 500 })
  const names = new Map((users.data?.items ?? []).map((u) => [String(u.id), asText(u.displayName)]))
  const options = (users.data?.items ?? []).map((u) => ({ value: String(u.id), label: `${asText(u.displayName)}（${asText(u.username)}）` }))
  return { names, options }
}

/** File names of the school's documents (the records carry only the document's id). */
function useDocNames() {
  const docs = useApi<Page<Row>>(routes.inspectionDocuments, { limit: 500 })
  return { names: new Map((docs.data?.items ?? []).map((d) => [String(d.id), asText(d.fileName)])), reload: docs.reload }
}

// ── 领导小组 ──────────────────────────────────────────────────────────────────────────

function LeadershipTab({ admin }: { admin: boolean }) {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const fail = useFailure()
  const members = useApi<Page<Row>>(routes.leadershipMembers, { limit: 200 })
  const meetings = useApi<Page<Row>>(routes.leadershipMeetings, { limit: 200 })
  const docs = useDocNames()
  const staff = useStaffNames()
  const [adding, setAdding] = useState(false)
  const who = (r: Row) => (typeof r.name === 'string' ? r.name : staff.names.get(String(r.userId)) ?? t('records.staffAccount'))

  async function remove(path: string, reload: () => void) {
    try { await api(path, { method: 'DELETE' }); reload() } catch (e) { fail(e) }
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('records.members')}</Typography.Title>
      {admin && (
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setAdding(true)} data-testid="add-member" style={{ alignSelf: 'flex-start' }}>{t('records.addMember')}</Button>
      )}
      <FormDialog<{ who: 'name' | 'account'; userId?: string; name?: string; post: string; groupRole: string; since: Dayjs }>
        open={adding} title={t('records.addMember')} onClose={() => setAdding(false)} onDone={members.reload} testId="member" initialValues={{ who: 'name', groupRole: 'member' }}
        onSubmit={(v) => api(routes.leadershipMembers, {
          method: 'POST',
          body: { ...(v.who === 'account' ? { userId: v.userId } : { name: v.name?.trim() }), post: v.post.trim(), groupRole: v.groupRole, since: isoDay(v.since) },
        })}>
        <Form.Item name="who" label={t('records.who')}>
          <Radio.Group options={[{ value: 'name', label: t('records.byName') }, { value: 'account', label: t('records.byAccount') }]} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: { who?: string }, b: { who?: string }) => a.who !== b.who}>
          {({ getFieldValue }) => (getFieldValue('who') === 'account'
            ? <Form.Item name="userId" label={t('records.account')} rules={required(t('records.account'))}><Select showSearch={{ optionFilterProp: 'label' }} options={staff.options} /></Form.Item>
            : <Form.Item name="name" label={t('field.name')} rules={required(t('field.name'))}><Input maxLength={50} data-testid="member-name" /></Form.Item>)}
        </Form.Item>
        <Form.Item name="post" label={t('records.post')} rules={required(t('records.post'))} extra={t('records.postHelp')}><Input maxLength={50} data-testid="member-post" /></Form.Item>
        <Form.Item name="groupRole" label={t('records.groupRole')} rules={required(t('records.groupRole'))}>
          <Radio.Group options={GROUP_ROLES.map((r) => ({ value: r, label: label('groupRole', r) }))} />
        </Form.Item>
        <Form.Item name="since" label={t('records.since')} rules={required(t('records.since'))}><DatePicker style={{ width: '100%' }} data-testid="member-since" /></Form.Item>
      </FormDialog>
      <Section loaded={members}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="members" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'groupRole', title: t('records.groupRole'), render: (_: unknown, r: Row) => label('groupRole', r.groupRole) },
              { key: 'name', title: t('field.name'), render: (_: unknown, r: Row) => who(r) },
              { key: 'post', title: t('records.post'), render: (_: unknown, r: Row) => asText(r.post) },
              { key: 'since', title: t('records.since'), render: (_: unknown, r: Row) => formatDate(r.since, locale) },
              { key: 'until', title: t('records.until'), render: (_: unknown, r: Row) => (r.until ? formatDate(r.until, locale) : t('records.current')) },
              ...(admin ? [{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space>
                  {!r.until && (
                    <DialogButton label={t('records.leave')}>
                      {(open, close) => (
                        <FormDialog<{ until: Dayjs }> open={open} onClose={close} title={t('records.leave')} onDone={members.reload}
                          onSubmit={(v) => api(routes.leadershipMember(String(r.id)), { method: 'PATCH', body: { until: isoDay(v.until) } })}>
                          <Form.Item name="until" label={t('records.until')} rules={required(t('records.until'))}><DatePicker style={{ width: '100%' }} /></Form.Item>
                        </FormDialog>
                      )}
                    </DialogButton>
                  )}
                  <Popconfirm title={t('records.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(routes.leadershipMember(String(r.id)), members.reload)}>
                    <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                  </Popconfirm>
                </Space>
              ) }] : []),
            ]} />
        )}
      </Section>

      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('records.meetings')}</Typography.Title>
      {admin && (
        <DialogButton label={t('records.addMeeting')} type="primary" icon={<PlusOutlined aria-hidden />} testId="add-meeting">
          {(open, close) => (
            <FormDialog<{ meetingDate: Dayjs; topic: string; attendees?: number; minutes?: File | null }> open={open} onClose={close} title={t('records.addMeeting')} testId="meeting"
              onDone={() => { meetings.reload(); docs.reload() }}
              onSubmit={async (v) => {
                const minutesDocumentId = v.minutes ? await uploadDocument(v.minutes) : undefined
                return api(routes.leadershipMeetings, { method: 'POST', body: { meetingDate: isoDay(v.meetingDate), topic: v.topic.trim(), ...(v.attendees ? { attendees: v.attendees } : {}), ...(minutesDocumentId ? { minutesDocumentId } : {}) } })
              }}>
              <Form.Item name="meetingDate" label={t('records.meetingDate')} rules={required(t('records.meetingDate'))}><DatePicker style={{ width: '100%' }} data-testid="meeting-date" /></Form.Item>
              <Form.Item name="topic" label={t('records.topic')} rules={required(t('records.topic'))}><Input maxLength={200} data-testid="meeting-topic" /></Form.Item>
              <Form.Item name="attendees" label={t('records.attendees')}><InputNumber min={1} max={500} style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="minutes" label={t('records.minutes')} extra={t('records.fileHelp')}><FileField testId="meeting-file" /></Form.Item>
            </FormDialog>
          )}
        </DialogButton>
      )}
      <Section loaded={meetings}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="meetings" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'meetingDate', title: t('records.meetingDate'), render: (_: unknown, r: Row) => formatDate(r.meetingDate, locale) },
              { key: 'topic', title: t('records.topic'), render: (_: unknown, r: Row) => asText(r.topic) },
              { key: 'attendees', title: t('records.attendees'), align: 'right', render: (_: unknown, r: Row) => asText(r.attendees) },
              { key: 'minutes', title: t('records.minutes'), render: (_: unknown, r: Row) => <DocLink id={r.minutesDocumentId} name={docs.names.get(String(r.minutesDocumentId))} /> },
              ...(admin ? [{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Popconfirm title={t('records.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(routes.leadershipMeeting(String(r.id)), meetings.reload)}>
                  <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                </Popconfirm>
              ) }] : []),
            ]} />
        )}
      </Section>
    </div>
  )
}

// ── 工作方案与经费 ────────────────────────────────────────────────────────────────────

function schoolYearNow(): string {
  const d = new Date()
  const y = d.getMonth() >= 7 ? d.getFullYear() : d.getFullYear() - 1
  return `${y}-${y + 1}`
}

function PlanTab({ admin }: { admin: boolean }) {
  const { t, locale } = useI18n()
  const required = useRequired()
  const plans = useApi<Page<Row>>(routes.yearlyPlans, { limit: 50 })
  const docs = useDocNames()
  const money = (v: unknown) => (typeof v === 'number' ? v.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—')
  return (
    <div className="xa-stack">
      <Typography.Paragraph type="secondary">{t('records.planHelp')}</Typography.Paragraph>
      {admin && (
        <DialogButton label={t('records.editPlan')} type="primary" icon={<PlusOutlined aria-hidden />} testId="edit-plan">
          {(open, close) => (
            <FormDialog<{ schoolYear: string; title?: string; adoptedOn?: Dayjs; file?: File | null; budgetYuan?: number }> open={open} onClose={close} title={t('records.editPlan')}
              testId="plan" onDone={() => { plans.reload(); docs.reload() }} initialValues={{ schoolYear: schoolYearNow() }}
              onSubmit={async (v) => {
                const existing = (plans.data?.items ?? []).find((p) => p.schoolYear === v.schoolYear)
                const planDocumentId = v.file ? await uploadDocument(v.file) : typeof existing?.planDocumentId === 'string' ? existing.planDocumentId : null
                return api(routes.yearlyPlan(v.schoolYear.trim()), {
                  method: 'PUT',
                  body: { title: v.title?.trim() || null, adoptedOn: isoDay(v.adoptedOn) ?? null, planDocumentId, budgetYuan: v.budgetYuan ?? null },
                })
              }}>
              <Form.Item name="schoolYear" label={t('records.schoolYear')} rules={[...required(t('records.schoolYear')), { pattern: /^\d{4}-\d{4}$/, message: t('rollover.schoolYearInvalid') }]} extra={t('rollover.schoolYearHelp')}>
                <Input maxLength={9} data-testid="plan-year" />
              </Form.Item>
              <Form.Item name="title" label={t('records.planTitle')}><Input maxLength={200} data-testid="plan-title" /></Form.Item>
              <Form.Item name="adoptedOn" label={t('records.adoptedOn')}><DatePicker style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="file" label={t('records.planFile')} extra={t('records.fileHelp')}><FileField testId="plan-file" /></Form.Item>
              <Form.Item name="budgetYuan" label={t('records.budget')}><InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="plan-budget" /></Form.Item>
            </FormDialog>
          )}
        </DialogButton>
      )}
      <Section loaded={plans}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="plans" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'schoolYear', title: t('records.schoolYear'), render: (_: unknown, r: Row) => asText(r.schoolYear) },
              { key: 'title', title: t('records.planTitle'), render: (_: unknown, r: Row) => asText(r.title) },
              { key: 'adoptedOn', title: t('records.adoptedOn'), render: (_: unknown, r: Row) => formatDate(r.adoptedOn, locale) },
              { key: 'file', title: t('records.planFile'), render: (_: unknown, r: Row) => <DocLink id={r.planDocumentId} name={docs.names.get(String(r.planDocumentId))} /> },
              { key: 'budget', title: t('records.budget'), align: 'right', render: (_: unknown, r: Row) => money(r.budgetYuan) },
            ]} />
        )}
      </Section>
    </div>
  )
}

// ── 教师培训 ──────────────────────────────────────────────────────────────────────────

interface RowError { row: number; field: string; reason: string }

/** ownOnly: a homeroom teacher, who records and reads only their own training. */
function TrainingTab({ admin, ownOnly = false }: { admin: boolean; ownOnly?: boolean }) {
  const { t, locale } = useI18n()
  const { user } = useAuth()
  const required = useRequired()
  const fail = useFailure()
  const { message } = App.useApp()
  const trainings = useApi<Page<Row>>(routes.trainings, { limit: 500 })
  const staff = useStaffNames(!ownOnly)
  const fileInput = useRef<HTMLInputElement>(null)
  const [importErrors, setImportErrors] = useState<RowError[] | null>(null)
  const [importing, setImporting] = useState(false)
  const items = trainings.data?.items ?? []
  const hours = items.reduce((s, r) => s + (typeof r.hours === 'number' ? r.hours : 0), 0)
  const people = new Set(items.map((r) => (typeof r.userId === 'string' ? r.userId : `n:${asText(r.name)}`))).size

  async function importFile(file: File) {
    setImporting(true)
    setImportErrors(null)
    try {
      const r = await upload<{ created: number; skipped: number }>(routes.trainingsImport, file, file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : XLSX, () => undefined)
      message.success(r.skipped > 0 ? t('records.importDoneSkipped', { created: r.created, skipped: r.skipped }) : t('records.importDone', { created: r.created }))
      trainings.reload()
    } catch (e) {
      const errors = e instanceof ApiError ? (e.details as { errors?: RowError[] } | undefined)?.errors : undefined
      if (errors?.length) setImportErrors(errors)
      fail(e)
    } finally {
      setImporting(false)
      if (fileInput.current) fileInput.current.value = ''
    }
  }

  return (
    <div className="xa-stack">
      <div className="xa-grid">
        <Card><Descriptions column={1} size="small" items={[
          { key: 'n', label: t('records.trainingCount'), children: items.length },
          { key: 'p', label: t('records.trainingPeople'), children: people },
          { key: 'h', label: t('records.trainingHours'), children: hours.toFixed(1) },
        ]} /></Card>
      </div>
      <Space wrap>
        <DialogButton label={t('records.addTraining')} type="primary" icon={<PlusOutlined aria-hidden />} testId="add-training">
          {(open, close) => (
            <FormDialog<{ who: 'account' | 'name'; userId?: string; name?: string; course: string; provider?: string; hours: number; completedOn: Dayjs; certificate?: string }>
              open={open} onClose={close} title={ownOnly ? t('records.addOwnTraining') : t('records.addTraining')} testId="training" onDone={trainings.reload} initialValues={{ who: 'account' }}
              onSubmit={(v) => api(routes.trainings, {
                method: 'POST',
                body: {
                  // Naming nobody records the caller's own training.
                  ...(ownOnly ? {} : v.who === 'account' ? { userId: v.userId } : { name: v.name?.trim() }), course: v.course.trim(), hours: v.hours, completedOn: isoDay(v.completedOn),
                  ...(v.provider?.trim() ? { provider: v.provider.trim() } : {}), ...(v.certificate?.trim() ? { certificate: v.certificate.trim() } : {}),
                },
              })}>
              {!ownOnly && (
                <>
                  <Form.Item name="who" label={t('records.who')}>
                    <Radio.Group options={[{ value: 'account', label: t('records.byAccount') }, { value: 'name', label: t('records.byName') }]} />
                  </Form.Item>
                  <Form.Item noStyle shouldUpdate={(a: { who?: string }, b: { who?: string }) => a.who !== b.who}>
                    {({ getFieldValue }) => (getFieldValue('who') === 'account'
                      ? <Form.Item name="userId" label={t('records.account')} rules={required(t('records.account'))}><Select showSearch={{ optionFilterProp: 'label' }} options={staff.options} /></Form.Item>
                      : <Form.Item name="name" label={t('field.name')} rules={required(t('field.name'))}><Input maxLength={50} /></Form.Item>)}
                  </Form.Item>
                </>
              )}
              <Form.Item name="course" label={t('records.course')} rules={required(t('records.course'))}><Input maxLength={200} /></Form.Item>
              <Form.Item name="provider" label={t('records.provider')}><Input maxLength={200} /></Form.Item>
              <Form.Item name="hours" label={t('records.hours')} rules={required(t('records.hours'))}><InputNumber min={0.5} max={1000} step={0.5} precision={1} style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="completedOn" label={t('records.completedOn')} rules={required(t('records.completedOn'))}><DatePicker style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="certificate" label={t('records.certificate')}><Input maxLength={100} /></Form.Item>
            </FormDialog>
          )}
        </DialogButton>
        {!ownOnly && <>
        <Button size="small" icon={<UploadOutlined aria-hidden />} loading={importing} onClick={() => fileInput.current?.click()} data-testid="training-import">{t('records.importTrainings')}</Button>
        <input ref={fileInput} type="file" hidden accept=".xlsx,.csv" aria-label={t('records.importTrainings')} data-testid="training-import-file"
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void importFile(f) }} />
        <Button size="small" type="link" icon={<DownloadOutlined aria-hidden />} onClick={() => { download(routes.trainingsTemplate, '教师培训导入模板.xlsx').catch(fail) }} data-testid="training-template">{t('records.template')}</Button>
        <Button size="small" icon={<DownloadOutlined aria-hidden />} onClick={() => { download(routes.trainingsExport, '教师培训.xlsx').catch(fail) }}>{t('common.export')}</Button>
        </>}
      </Space>
      {!ownOnly && <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('records.importHelp')}</Typography.Paragraph>}
      {importErrors && (
        <Alert type="error" showIcon role="alert" data-testid="training-import-errors" title={t('records.importErrors')}
          description={<ul style={{ margin: 0 }}>{importErrors.map((e) => <li key={`${e.row}-${e.field}`}>{t('records.rowError', { row: e.row, field: e.field, reason: e.reason })}</li>)}</ul>} />
      )}
      <Section loaded={trainings}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={{ pageSize: 50 }} data-testid="trainings" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'name', title: t('field.name'), render: (_: unknown, r: Row) => (typeof r.name === 'string' ? r.name
                : user && r.userId === user.id ? user.displayName : staff.names.get(String(r.userId)) ?? t('records.staffAccount')) },
              { key: 'course', title: t('records.course'), render: (_: unknown, r: Row) => asText(r.course) },
              { key: 'provider', title: t('records.provider'), render: (_: unknown, r: Row) => asText(r.provider) },
              { key: 'hours', title: t('records.hours'), align: 'right', render: (_: unknown, r: Row) => asText(r.hours) },
              { key: 'completedOn', title: t('records.completedOn'), render: (_: unknown, r: Row) => formatDate(r.completedOn, locale) },
              { key: 'certificate', title: t('records.certificate'), render: (_: unknown, r: Row) => asText(r.certificate) },
              ...(admin ? [{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Popconfirm title={t('records.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')}
                  onConfirm={async () => { try { await api(routes.training(String(r.id)), { method: 'DELETE' }); trainings.reload() } catch (e) { fail(e) } }}>
                  <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                </Popconfirm>
              ) }] : []),
            ]} />
        )}
      </Section>
    </div>
  )
}

// ── 应急预案与演练 ────────────────────────────────────────────────────────────────────

function EmergencyTab({ admin }: { admin: boolean }) {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const fail = useFailure()
  const current = useApi<{ current: Row | null }>(routes.emergencyPlanCurrent)
  const versions = useApi<Page<Row>>(routes.emergencyPlans, { limit: 100 })
  const drills = useApi<Page<Row>>(routes.drills, { limit: 200 })
  const docs = useDocNames()
  const reloadPlans = () => { current.reload(); versions.reload(); docs.reload() }
  const plan = current.data?.current
  return (
    <div className="xa-stack">
      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('records.emergencyPlan')}</Typography.Title>
      <Card data-testid="current-plan">
        {plan
          ? <Descriptions column={1} size="small" items={[
            { key: 'v', label: t('records.version'), children: t('records.versionNo', { n: asText(plan.version) }) },
            { key: 't', label: t('records.planTitle'), children: asText(plan.title) },
            { key: 'a', label: t('records.adoptedOn'), children: formatDate(plan.adoptedOn, locale) },
            { key: 'd', label: t('records.planFile'), children: <DocLink id={plan.documentId} name={docs.names.get(String(plan.documentId))} /> },
          ]} />
          : <Typography.Text type="secondary">{t('records.noPlan')}</Typography.Text>}
      </Card>
      {admin && (
        <DialogButton label={t('records.newVersion')} type="primary" icon={<PlusOutlined aria-hidden />} testId="new-version">
          {(open, close) => (
            <FormDialog<{ title: string; adoptedOn: Dayjs; changeNote?: string; file?: File | null }> open={open} onClose={close} title={t('records.newVersion')} testId="version"
              onDone={reloadPlans}
              onSubmit={async (v) => {
                const documentId = v.file ? await uploadDocument(v.file) : undefined
                return api(routes.emergencyPlans, { method: 'POST', body: { title: v.title.trim(), adoptedOn: isoDay(v.adoptedOn), ...(v.changeNote?.trim() ? { changeNote: v.changeNote.trim() } : {}), ...(documentId ? { documentId } : {}) } })
              }}>
              <Form.Item name="title" label={t('records.planTitle')} rules={required(t('records.planTitle'))} initialValue={asText(plan?.title, '') || t('records.defaultPlanTitle')}><Input maxLength={200} /></Form.Item>
              <Form.Item name="adoptedOn" label={t('records.adoptedOn')} rules={required(t('records.adoptedOn'))}><DatePicker style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="changeNote" label={t('records.changeNote')}><Input.TextArea maxLength={2000} rows={3} /></Form.Item>
              <Form.Item name="file" label={t('records.planFile')} extra={t('records.fileHelp')}><FileField /></Form.Item>
            </FormDialog>
          )}
        </DialogButton>
      )}
      <Section loaded={versions}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="plan-versions" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'version', title: t('records.version'), render: (_: unknown, r: Row) => t('records.versionNo', { n: asText(r.version) }) },
              { key: 'title', title: t('records.planTitle'), render: (_: unknown, r: Row) => asText(r.title) },
              { key: 'adoptedOn', title: t('records.adoptedOn'), render: (_: unknown, r: Row) => formatDate(r.adoptedOn, locale) },
              { key: 'changeNote', title: t('records.changeNote'), render: (_: unknown, r: Row) => asText(r.changeNote) },
              { key: 'doc', title: t('records.planFile'), render: (_: unknown, r: Row) => <DocLink id={r.documentId} name={docs.names.get(String(r.documentId))} /> },
            ]} />
        )}
      </Section>

      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('records.drills')}</Typography.Title>
      <DialogButton label={t('records.addDrill')} type="primary" icon={<PlusOutlined aria-hidden />} testId="add-drill">
        {(open, close) => (
          <FormDialog<{ drillDate: Dayjs; reach: string; scenario: string; participants?: number; review?: string }> open={open} onClose={close} title={t('records.addDrill')} testId="drill"
            onDone={drills.reload} initialValues={{ reach: 'school' }}
            onSubmit={(v) => api(routes.drills, { method: 'POST', body: { drillDate: isoDay(v.drillDate), reach: v.reach, scenario: v.scenario.trim(), ...(v.participants !== undefined && v.participants !== null ? { participants: v.participants } : {}), ...(v.review?.trim() ? { review: v.review.trim() } : {}) } })}>
            <Form.Item name="drillDate" label={t('records.drillDate')} rules={required(t('records.drillDate'))}><DatePicker style={{ width: '100%' }} /></Form.Item>
            <Form.Item name="reach" label={t('records.reach')}><Radio.Group options={REACHES.map((r) => ({ value: r, label: label('drillReach', r) }))} /></Form.Item>
            <Form.Item name="scenario" label={t('records.scenario')} rules={required(t('records.scenario'))}><Input maxLength={200} /></Form.Item>
            <Form.Item name="participants" label={t('records.participants')}><InputNumber min={0} max={100000} style={{ width: '100%' }} /></Form.Item>
            <Form.Item name="review" label={t('records.review')}><Input.TextArea maxLength={4000} rows={3} /></Form.Item>
          </FormDialog>
        )}
      </DialogButton>
      <Section loaded={drills}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="drills" scroll={{ x: 'max-content' }}
            columns={[
              { key: 'drillDate', title: t('records.drillDate'), render: (_: unknown, r: Row) => formatDate(r.drillDate, locale) },
              { key: 'reach', title: t('records.reach'), render: (_: unknown, r: Row) => label('drillReach', r.reach) },
              { key: 'scenario', title: t('records.scenario'), render: (_: unknown, r: Row) => asText(r.scenario) },
              { key: 'participants', title: t('records.participants'), align: 'right', render: (_: unknown, r: Row) => asText(r.participants) },
              { key: 'review', title: t('records.review'), render: (_: unknown, r: Row) => asText(r.review) },
              ...(admin ? [{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Popconfirm title={t('records.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')}
                  onConfirm={async () => { try { await api(routes.drill(String(r.id)), { method: 'DELETE' }); drills.reload() } catch (e) { fail(e) } }}>
                  <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                </Popconfirm>
              ) }] : []),
            ]} />
        )}
      </Section>
    </div>
  )
}

/**
 * 督导资料 (school admin; psychology teachers read it and add trainings and drills): the
 * evidence an inspection asks to see for 组织保障, 队伍建设 and 危机干预.
 */
export default function InspectionRecordsPage() {
  const { t } = useI18n()
  const { roles } = useAuth()
  const admin = roles.includes('school_admin')
  if (!admin && !roles.includes('psych_teacher')) {
    // A homeroom teacher: only their own training records.
    return (
      <div className="xa-stack">
        <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('records.ownTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('records.ownHelp')}</Typography.Paragraph>
        <TrainingTab admin={false} ownOnly />
      </div>
    )
  }
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('records.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{admin ? t('records.help') : t('records.helpReadOnly')}</Typography.Paragraph>
      <Tabs destroyOnHidden items={[
        { key: 'leadership', label: t('records.tab.leadership'), children: <LeadershipTab admin={admin} /> },
        { key: 'plan', label: t('records.tab.plan'), children: <PlanTab admin={admin} /> },
        { key: 'training', label: t('records.tab.training'), children: <TrainingTab admin={admin} /> },
        { key: 'emergency', label: t('records.tab.emergency'), children: <EmergencyTab admin={admin} /> },
      ]} />
    </div>
  )
}
