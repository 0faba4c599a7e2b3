import { useState } from 'react'
import { App, Button, Card, DatePicker, Drawer, Empty, Form, Input, List, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd'
import { EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, download, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { useAuth } from '../../api/session'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { isoDay } from '../../components/forms'
import { WriteError } from '../practices/shared'

interface Checklist { id: string; title: string; items: Array<{ code: string; point: string }> }

interface ProblemValues { itemCode?: string; problem?: string; measure?: string; responsibleUserId?: string; responsibleName?: string; deadline?: Dayjs }
interface VisitValues { visitedOn?: Dayjs; inspectorName?: string; inspectorRole?: string; noticeRef?: string; summary?: string; items?: ProblemValues[] }
interface PlanValues { measure?: string; responsibleUserId?: string; responsibleName?: string; deadline?: Dayjs }

const trimmed = (s: string | undefined) => (s?.trim() ? s.trim() : undefined)

/** The problem's state in words and colour: rectified, open, or red with the days past its deadline. */
function StatusTag({ row }: { row: Row }) {
  const { t, label } = useI18n()
  if (row.status === 'rectified') return <Tag color="green">{label('rectStatus', 'rectified')}</Tag>
  if (row.overdue === true) return <Tag color="red" data-testid="overdue-tag">{t('rect.overdueDays', { n: Number(row.overdueDays) })}</Tag>
  return <Tag>{label('rectStatus', 'open')}</Tag>
}

/**
 * 督导整改: the school's inspection visits, the problems of their 整改通知书 with the measure,
 * the person responsible and the deadline, progress notes and 回头看. The school admin keeps
 * it; psychology teachers read it and add progress notes.
 */
export default function RectificationPage() {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const { roles } = useAuth()
  const admin = roles.includes('school_admin')
  const [onlyOverdue, setOnlyOverdue] = useState(false)
  const checklist = useApi<Checklist>(routes.inspectionChecklist)
  const visits = useApi<Page<Row>>(routes.inspectionVisits, { limit: 100 })
  const items = useApi<Page<Row>>(routes.rectificationItems, { limit: 500, ...(onlyOverdue ? { overdue: 'true' } : {}) })
  const users = useApi<Page<Row>>(admin ? routes.users : null, { limit: 500, status: 'active' })
  const [recording, setRecording] = useState(false)
  const [editing, setEditing] = useState<Row | null>(null)
  const [opened, setOpened] = useState<string | null>(null)

  const points = new Map((checklist.data?.items ?? []).map((i) => [i.code, i.point]))
  const itemName = (code: unknown) => t('rect.itemName', { code: asText(code), point: points.get(asText(code)) ?? '' })
  const itemOptions = (checklist.data?.items ?? []).map((i) => ({ value: i.code, label: t('rect.itemName', { code: i.code, point: i.point }) }))
  const userOptions = (users.data?.items ?? []).map((u) => ({ value: String(u.id), label: asText(u.displayName) }))
  const responsible = (r: Row) => asText(r.responsibleDisplayName) || asText(r.responsibleName) || '—'
  const reload = () => { visits.reload(); items.reload() }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('rect.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{admin ? t('rect.help') : t('rect.readOnlyHelp')}</Typography.Paragraph>
      {admin && (
        <Space><Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setRecording(true)} data-testid="new-visit">{t('rect.newVisit')}</Button></Space>
      )}

      <Card title={<h2 className="xa-card-title">{t('rect.problems')}</h2>}
        extra={<Radio.Group size="small" value={onlyOverdue} onChange={(e) => setOnlyOverdue(e.target.value === true)}
          options={[{ value: false, label: t('rect.allProblems') }, { value: true, label: t('rect.onlyOverdue') }]} />}>
        <Section loaded={items} empty={(p) => p.items.length === 0}>
          {(p) => (
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} scroll={{ x: 'max-content' }} data-testid="rect-items"
              onRow={(r) => ({ 'data-overdue': r.overdue === true ? 'true' : undefined } as React.HTMLAttributes<HTMLElement>)}
              columns={[
                { key: 'item', title: t('rect.item'), render: (_: unknown, r: Row) => itemName(r.itemCode) },
                { key: 'problem', title: t('rect.problem'), render: (_: unknown, r: Row) => asText(r.problem) },
                { key: 'measure', title: t('rect.measure'), render: (_: unknown, r: Row) => asText(r.measure) || '—' },
                { key: 'responsible', title: t('rect.responsible'), render: (_: unknown, r: Row) => responsible(r) },
                { key: 'deadline', title: t('rect.deadline'), render: (_: unknown, r: Row) => (
                  <Typography.Text type={r.overdue === true ? 'danger' : undefined} strong={r.overdue === true}>{formatDate(r.deadline, locale)}</Typography.Text>
                ) },
                { key: 'status', title: t('rect.status'), render: (_: unknown, r: Row) => (
                  <Space direction="vertical" size={0}>
                    <StatusTag row={r} />
                    {r.status === 'rectified' && <Typography.Text type="secondary">{t('rect.rectifiedOn', { date: formatDate(r.rectifiedOn, locale) })}</Typography.Text>}
                  </Space>
                ) },
                { key: 'actions', title: '', render: (_: unknown, r: Row) => (
                  <Space>
                    <Button size="small" onClick={() => setOpened(String(r.id))} data-testid="open-item">{t('rect.details')}</Button>
                    {admin && r.status === 'open' && <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => setEditing(r)}>{t('rect.edit')}</Button>}
                  </Space>
                ) },
              ]} />
          )}
        </Section>
      </Card>

      <Card title={<h2 className="xa-card-title">{t('rect.visits')}</h2>}>
        <Section loaded={visits} empty={(p) => p.items.length === 0}>
          {(p) => (
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} scroll={{ x: 'max-content' }} data-testid="rect-visits"
              columns={[
                { key: 'visitedOn', title: t('rect.visitedOn'), render: (_: unknown, r: Row) => formatDate(r.visitedOn, locale) },
                { key: 'inspector', title: t('rect.inspectorName'), render: (_: unknown, r: Row) => [asText(r.inspectorName), asText(r.inspectorRole)].filter(Boolean).join('，') },
                { key: 'noticeRef', title: t('rect.noticeRef'), render: (_: unknown, r: Row) => asText(r.noticeRef) || '—' },
                { key: 'summary', title: t('rect.summary'), render: (_: unknown, r: Row) => asText(r.summary) || '—' },
                { key: 'problems', title: t('rect.problems'), render: (_: unknown, r: Row) => {
                  const c = r.problems as { total: number; open: number; overdue: number } | undefined
                  if (!c) return '—'
                  return c.overdue > 0 ? <Typography.Text type="danger">{t('rect.counts', c)}</Typography.Text> : t('rect.counts', c)
                } },
              ]} />
          )}
        </Section>
      </Card>

      {admin && <VisitDialog open={recording} onClose={() => setRecording(false)} onDone={() => { setRecording(false); void message.success(t('rect.saved')); reload() }}
        itemOptions={itemOptions} userOptions={userOptions} />}
      {admin && editing && <PlanDialog row={editing} userOptions={userOptions} onClose={() => setEditing(null)} onDone={() => { setEditing(null); void message.success(t('rect.saved')); reload() }} />}
      <ItemDrawer id={opened} admin={admin} title={(r) => itemName(r.itemCode)} onClose={() => setOpened(null)} onChanged={reload} />
    </div>
  )
}

function VisitDialog({ open, onClose, onDone, itemOptions, userOptions }: {
  open: boolean; onClose: () => void; onDone: () => void
  itemOptions: Array<{ value: string; label: string }>; userOptions: Array<{ value: string; label: string }>
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<VisitValues>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const required = (field: string) => [{ required: true, whitespace: true, message: t('rect.required', { field }) }]

  async function save(v: VisitValues) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.inspectionVisits, {
        method: 'POST',
        body: {
          visitedOn: isoDay(v.visitedOn), inspectorName: v.inspectorName?.trim(),
          inspectorRole: trimmed(v.inspectorRole), noticeRef: trimmed(v.noticeRef), summary: trimmed(v.summary),
          items: (v.items ?? []).map((p) => ({
            itemCode: p.itemCode, problem: p.problem?.trim(), measure: trimmed(p.measure),
            responsibleUserId: p.responsibleUserId || undefined, responsibleName: trimmed(p.responsibleName), deadline: isoDay(p.deadline),
          })),
        },
      })
      form.resetFields()
      onDone()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open={open} title={t('rect.newVisit')} onCancel={onClose} width={760} forceRender destroyOnHidden={false}
      okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => form.submit()} confirmLoading={busy}>
      <WriteError error={error} />
      <Form<VisitValues> form={form} layout="vertical" onFinish={(v) => void save(v)} data-testid="visit-form"
        initialValues={{ visitedOn: dayjs(), items: [{}] }}>
        <Space wrap align="start">
          <Form.Item name="visitedOn" label={t('rect.visitedOn')} rules={[{ required: true, message: t('rect.required', { field: t('rect.visitedOn') }) }]}>
            <DatePicker id="visit-date" />
          </Form.Item>
          <Form.Item name="inspectorName" label={t('rect.inspectorName')} rules={required(t('rect.inspectorName'))}><Input id="visit-inspector" maxLength={200} /></Form.Item>
          <Form.Item name="inspectorRole" label={t('rect.inspectorRole')}><Input id="visit-role" maxLength={200} /></Form.Item>
          <Form.Item name="noticeRef" label={t('rect.noticeRef')}><Input id="visit-notice" maxLength={200} /></Form.Item>
        </Space>
        <Form.Item name="summary" label={t('rect.summary')}><Input.TextArea rows={2} maxLength={4000} /></Form.Item>
        <Typography.Title level={3} style={{ fontSize: 15 }}>{t('rect.problems')}</Typography.Title>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Card key={f.key} size="small" style={{ marginBottom: 12 }} data-testid={`problem-${i}`}
                  title={`${t('rect.problem')} ${i + 1}`}
                  extra={<Button type="text" size="small" icon={<MinusCircleOutlined aria-hidden />} onClick={() => remove(f.name)}>{t('rect.removeProblem')}</Button>}>
                  <Form.Item name={[f.name, 'itemCode']} label={t('rect.item')} htmlFor={`problem-${i}-item`} rules={[{ required: true, message: t('rect.required', { field: t('rect.item') }) }]}>
                    <Select id={`problem-${i}-item`} showSearch={{ optionFilterProp: 'label' }} options={itemOptions} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'problem']} label={t('rect.problem')} rules={required(t('rect.problem'))}>
                    <Input.TextArea id={`problem-${i}-text`} rows={2} maxLength={2000} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'measure']} label={t('rect.measure')}>
                    <Input.TextArea id={`problem-${i}-measure`} rows={2} maxLength={2000} />
                  </Form.Item>
                  <Space wrap align="start">
                    <Form.Item name={[f.name, 'responsibleUserId']} label={t('rect.responsible')} htmlFor={`problem-${i}-user`}>
                      <Select id={`problem-${i}-user`} allowClear showSearch={{ optionFilterProp: 'label' }} options={userOptions} style={{ minWidth: 180 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'responsibleName']} label={t('rect.responsibleName')}
                      rules={[({ getFieldValue }) => ({
                        validator: async (_: unknown, v: string | undefined) => {
                          if (!v?.trim() && !getFieldValue(['items', f.name, 'responsibleUserId'])) throw new Error(t('rect.responsibleRequired'))
                        },
                      })]}>
                      <Input id={`problem-${i}-name`} maxLength={100} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'deadline']} label={t('rect.deadline')} rules={[{ required: true, message: t('rect.required', { field: t('rect.deadline') }) }]}>
                      <DatePicker id={`problem-${i}-deadline`} />
                    </Form.Item>
                  </Space>
                </Card>
              ))}
              <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({})} data-testid="add-problem">{t('rect.addProblem')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  )
}

function PlanDialog({ row, userOptions, onClose, onDone }: { row: Row; userOptions: Array<{ value: string; label: string }>; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<PlanValues>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  async function save(v: PlanValues) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.rectificationItem(String(row.id)), {
        method: 'PATCH',
        body: { measure: trimmed(v.measure) ?? null, responsibleUserId: v.responsibleUserId || null, responsibleName: trimmed(v.responsibleName) ?? null, deadline: isoDay(v.deadline) },
      })
      onDone()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open title={t('rect.edit')} onCancel={onClose} okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => form.submit()} confirmLoading={busy}>
      <WriteError error={error} />
      <Form<PlanValues> form={form} layout="vertical" onFinish={(v) => void save(v)}
        initialValues={{
          measure: asText(row.measure) || undefined,
          responsibleUserId: typeof row.responsibleUserId === 'string' ? row.responsibleUserId : undefined,
          responsibleName: asText(row.responsibleName) || undefined,
          deadline: typeof row.deadline === 'string' ? dayjs(row.deadline) : undefined,
        }}>
        <Form.Item name="measure" label={t('rect.measure')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
        <Form.Item name="responsibleUserId" label={t('rect.responsible')} htmlFor="plan-user">
          <Select id="plan-user" allowClear showSearch={{ optionFilterProp: 'label' }} options={userOptions} />
        </Form.Item>
        <Form.Item name="responsibleName" label={t('rect.responsibleName')}><Input maxLength={100} /></Form.Item>
        <Form.Item name="deadline" label={t('rect.deadline')} rules={[{ required: true, message: t('rect.required', { field: t('rect.deadline') }) }]}><DatePicker /></Form.Item>
      </Form>
    </Modal>
  )
}

/** One problem: its progress notes (admin and psychology teachers add them) and 回头看 (the admin records them). */
function ItemDrawer({ id, admin, title, onClose, onChanged }: { id: string | null; admin: boolean; title: (r: Row) => string; onClose: () => void; onChanged: () => void }) {
  const { t, locale } = useI18n()
  const item = useApi<Row>(id ? routes.rectificationItem(id) : null)
  // Evidence is a file kept under 督导资料 (uploaded there); a note names one.
  const documents = useApi<Page<Row>>(id ? routes.inspectionDocuments : null, { limit: 500 })
  const fileNames = new Map((documents.data?.items ?? []).map((d) => [String(d.id), asText(d.fileName)]))
  const [noteForm] = Form.useForm<{ body?: string; documentId?: string }>()
  const [checkForm] = Form.useForm<{ checkedOn?: Dayjs; rectified?: boolean; reason?: string }>()
  const rectified = Form.useWatch('rectified', checkForm)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  async function write(path: string, body: object, reset: () => void) {
    setBusy(true)
    setError(null)
    try {
      await api(path, { method: 'POST', body })
      reset()
      item.reload()
      onChanged()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const notes = (item.data?.notes as Row[] | undefined) ?? []
  const checks = (item.data?.checks as Row[] | undefined) ?? []
  const open = item.data?.status === 'open'
  return (
    <Drawer open={id !== null} onClose={onClose} width={560} title={item.data ? title(item.data) : t('rect.details')} destroyOnHidden data-testid="item-drawer">
      <Section loaded={item}>
        {(r) => (
          <div className="xa-stack">
            <Typography.Paragraph>{asText(r.problem)}</Typography.Paragraph>
            <Space wrap><StatusTag row={r} /><span>{t('rect.deadline')}：{formatDate(r.deadline, locale)}</span></Space>
            <WriteError error={error} />
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('rect.notes')}</Typography.Title>
            {notes.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('rect.noNotes')} /> : (
              <List<Row> size="small" dataSource={notes} data-testid="notes" renderItem={(n) => (
                <List.Item extra={typeof n.documentId === 'string' ? (
                  <Button size="small" type="link" onClick={() => void download(routes.inspectionDocument(String(n.documentId)), fileNames.get(String(n.documentId)) ?? 'evidence').catch(setError)}>
                    {fileNames.get(String(n.documentId)) ?? t('rect.openEvidence')}
                  </Button>
                ) : undefined}>
                  <List.Item.Meta title={formatDate(n.notedOn, locale)} description={asText(n.body)} />
                </List.Item>
              )} />
            )}
            <Form form={noteForm} layout="vertical"
              onFinish={(v) => void write(routes.rectificationNotes(String(r.id)), { body: v.body?.trim(), ...(v.documentId ? { documentId: v.documentId } : {}) }, () => noteForm.resetFields())}>
              <Form.Item name="body" label={t('rect.noteBody')} rules={[{ required: true, whitespace: true, message: t('rect.required', { field: t('rect.noteBody') }) }]}>
                <Input.TextArea rows={2} maxLength={4000} id="note-body" />
              </Form.Item>
              <Form.Item name="documentId" label={t('rect.evidence')} extra={t('rect.evidenceHelp')} htmlFor="note-document">
                <Select id="note-document" allowClear showSearch={{ optionFilterProp: 'label' }}
                  options={[...fileNames].map(([value, label]) => ({ value, label }))} />
              </Form.Item>
              <Button htmlType="submit" loading={busy} data-testid="add-note">{t('rect.addNote')}</Button>
            </Form>
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('rect.checks')}</Typography.Title>
            {checks.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('rect.noChecks')} /> : (
              <List<Row> size="small" dataSource={checks} data-testid="checks" renderItem={(c) => (
                <List.Item>
                  <List.Item.Meta title={`${formatDate(c.checkedOn, locale)} ${c.rectified === true ? t('rect.rectifiedYes') : t('rect.rectifiedNo')}`} description={asText(c.reason) || undefined} />
                </List.Item>
              )} />
            )}
            {admin && open && (
              <Form form={checkForm} layout="vertical" initialValues={{ checkedOn: dayjs(), rectified: true }} data-testid="check-form"
                onFinish={(v) => void write(routes.rectificationChecks(String(r.id)),
                  { checkedOn: isoDay(v.checkedOn), rectified: v.rectified === true, ...(v.rectified === true ? {} : { reason: v.reason?.trim() }) },
                  () => checkForm.resetFields())}>
                <Space wrap align="start">
                  <Form.Item name="checkedOn" label={t('rect.checkedOn')} rules={[{ required: true, message: t('rect.required', { field: t('rect.checkedOn') }) }]}><DatePicker /></Form.Item>
                  <Form.Item name="rectified" label={t('rect.result')}>
                    <Radio.Group options={[{ value: true, label: t('rect.rectifiedYes') }, { value: false, label: t('rect.rectifiedNo') }]} />
                  </Form.Item>
                </Space>
                {rectified === false && (
                  <Form.Item name="reason" label={t('rect.reason')} rules={[{ required: true, whitespace: true, message: t('rect.required', { field: t('rect.reason') }) }]}>
                    <Input.TextArea rows={2} maxLength={2000} />
                  </Form.Item>
                )}
                <Button type="primary" htmlType="submit" loading={busy} data-testid="add-check">{t('rect.addCheck')}</Button>
              </Form>
            )}
          </div>
        )}
      </Section>
    </Drawer>
  )
}
