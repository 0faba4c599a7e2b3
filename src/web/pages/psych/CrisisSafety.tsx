import { useState, type ReactNode } from 'react'
import { Alert, App, Button, Checkbox, DatePicker, Descriptions, Divider, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd'
import { SafetyCertificateOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import type { MessageKey } from '../../i18n/messages'
import { api, ApiError, type Page } from '../../api/client'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { formatDate, formatDateTime, Section } from '../../components/common'
import { asApiError, isoDay, noFuture, noPast, useRequired, WriteError } from '../../components/forms'
import type { Row } from '../../components/records'

/**
 * A crisis event's safety steps on the crisis screen: the brief suicide safety assessment
 * rendered from the definition the server sends (its labels, options and 待临床审核 flags, in
 * the reader's language), the disposition with what it requires, who was told, and what still
 * blocks resolution. The server checks everything again; this only guides the teacher.
 */

type Words = { 'zh-CN': string; en: string }
interface FormItem {
  key: string
  type: 'choice' | 'multi' | 'yes_no' | 'text'
  label: Words
  help?: Words
  options?: Array<{ value: string; label: Words }>
  required: boolean
  requiredWhen?: { item: string; equals: boolean | string }
  maxLength?: number
  zhPendingReview: boolean
  /** The Chinese label is the school's own wording (本校措辞). */
  zhSchoolWording?: boolean
}
interface FormDef {
  code: string
  version: number
  name: Words
  instructions: Words
  reviewFlag: Words
  sections: Array<{ key: string; title: Words; zhPendingReview: boolean; items: FormItem[] }>
  dispositions: Array<{ value: string; label: Words; help: Words; zhPendingReview: boolean }>
  licence: string
  source: string
}
export interface Safety {
  assessed: boolean
  disposition: string | null
  homeroomTold: boolean
  guardian: 'told' | 'not_told' | null
  parentContactDueOn: string | null
  parentContactLogged: boolean | null
  missing: string[]
}
type CrisisRow = Row & { safety?: Safety; studentId?: string }

function Flag({ on, def, school }: { on: boolean; def: FormDef; school?: boolean | undefined }) {
  const { t, locale } = useI18n()
  // The flag concerns the Chinese wording: it is shown where that wording is.
  if (locale !== 'zh-CN') return null
  if (school) return <Tag color="blue" data-testid="school-wording-flag" style={{ marginInlineStart: 8 }}>{t('cs.schoolWording')}</Tag>
  if (!on) return null
  return <Tag color="orange" data-testid="review-flag" style={{ marginInlineStart: 8 }}>{def.reviewFlag['zh-CN']}</Tag>
}

/** What still blocks the resolution, in words, or that nothing does. */
export function SafetyBlockers({ safety }: { safety: Safety }) {
  const { t } = useI18n()
  if (safety.missing.length === 0) return <Alert type="success" showIcon data-testid="safety-ready" title={t('cs.ready')} />
  return (
    <Alert type="warning" showIcon data-testid="safety-blockers" title={t('cs.blocked')}
      description={(
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {safety.missing.map((m) => (
            <li key={m} data-missing={m}>{t(`cs.missing.${m}` as MessageKey, { due: safety.parentContactDueOn ? formatDate(safety.parentContactDueOn, 'zh-CN') : '' })}</li>
          ))}
        </ul>
      )} />
  )
}

const visible = (item: FormItem, answers: Record<string, unknown>) =>
  !item.requiredWhen || answers[item.requiredWhen.item] === item.requiredWhen.equals

/** One item's control; Form.Item hands it the value and onChange, passed on to the control. */
function AnswerInput({ item, value, onChange }: { item: FormItem; value?: unknown; onChange?: (v: unknown) => void }) {
  const { t, locale } = useI18n()
  const id = `item-${item.key}`
  switch (item.type) {
    case 'yes_no':
      return (
        <Radio.Group data-testid={id} value={value} onChange={(e) => onChange?.(e.target.value)}>
          <Radio value={true}>{t('cs.yes')}</Radio>
          <Radio value={false}>{t('cs.no')}</Radio>
        </Radio.Group>
      )
    case 'choice':
      return <Radio.Group data-testid={id} value={value} onChange={(e) => onChange?.(e.target.value)}
        options={item.options!.map((o) => ({ value: o.value, label: o.label[locale] }))} />
    case 'multi':
      return <Checkbox.Group data-testid={id} value={Array.isArray(value) ? value as string[] : []} onChange={(v) => onChange?.(v)}
        options={item.options!.map((o) => ({ value: o.value, label: o.label[locale] }))} />
    case 'text':
      return <Input.TextArea data-testid={id} rows={2} maxLength={item.maxLength ?? 1000} aria-label={item.label[locale]}
        value={typeof value === 'string' ? value : ''} onChange={(e) => onChange?.(e.target.value)} />
  }
}

interface AssessValues {
  answers: Record<string, unknown>
  disposition?: string
  followUpOn?: Dayjs
  reason?: string
  institutionId?: string
  referralReason?: string
}

function AssessmentForm({ crisisId, def, onSaved }: { crisisId: string; def: FormDef; onSaved: () => void }) {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const required = useRequired()
  const [form] = Form.useForm<AssessValues>()
  // Kept from every change: a condition (the plan's details after a yes) shows its item at once.
  const [answers, setAnswers] = useState<Record<string, unknown>>({})
  const [disposition, setDisposition] = useState<string>()
  const institutions = useApi<Page<Row>>(disposition === 'emergency' ? routes.institutions : null, { limit: 100 })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()

  async function save(v: AssessValues) {
    setBusy(true)
    setError(undefined)
    try {
      const items = def.sections.flatMap((s) => s.items)
      const sent: Record<string, unknown> = {}
      for (const item of items) {
        const a = v.answers?.[item.key]
        if (a !== undefined && a !== null && a !== '' && visible(item, v.answers ?? {})) sent[item.key] = a
      }
      await api(routes.crisisAssessment(crisisId), {
        method: 'POST',
        body: {
          answers: sent,
          disposition: v.disposition,
          ...(v.disposition === 'safety_plan' ? { followUpOn: isoDay(v.followUpOn) } : {}),
          ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
          ...(v.disposition === 'emergency' ? { referral: { institutionId: v.institutionId, reason: v.referralReason } } : {}),
        },
      })
      message.success(t('cs.saved'))
      onSaved()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Form<AssessValues> form={form} layout="vertical" onFinish={(v) => void save(v)} disabled={busy} data-testid="assessment-form" initialValues={{ answers: {} }}
      onValuesChange={(_, all) => { setAnswers({ ...all.answers }); setDisposition(all.disposition) }}>
      <Typography.Paragraph type="secondary">{def.instructions[locale]}</Typography.Paragraph>
      {def.sections.map((s) => (
        <fieldset key={s.key} data-section={s.key} style={{ border: 0, padding: 0, margin: '0 0 8px' }}>
          <Typography.Title level={5} style={{ marginTop: 8 }}>{s.title[locale]}<Flag on={s.zhPendingReview} def={def} /></Typography.Title>
          {s.items.filter((i) => visible(i, answers)).map((i) => (
            <Form.Item key={i.key} name={['answers', i.key]}
              label={<span>{i.label[locale]}<Flag on={i.zhPendingReview} def={def} school={i.zhSchoolWording} /></span>}
              rules={i.required || i.requiredWhen ? required(i.label[locale]) : undefined}>
              <AnswerInput item={i} />
            </Form.Item>
          ))}
        </fieldset>
      ))}
      <Divider />
      <Form.Item name="disposition" label={t('cs.dispositionTitle')} rules={required(t('cs.dispositionTitle'))}>
        <Radio.Group data-testid="disposition">
          <Space direction="vertical">
            {def.dispositions.map((d) => (
              <Radio key={d.value} value={d.value}>
                <strong>{d.label[locale]}</strong><Flag on={d.zhPendingReview} def={def} />
                <div><Typography.Text type="secondary">{d.help[locale]}</Typography.Text></div>
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Form.Item>
      {disposition === 'emergency' && (
        <>
          <Form.Item name="institutionId" label={t('cs.institution')} extra={t('cs.institutionHelp')} rules={required(t('cs.institution'))}>
            <Select data-testid="referral-institution" loading={institutions.loading} showSearch optionFilterProp="label"
              options={(institutions.data?.items ?? []).map((r) => ({ value: String(r.id), label: String(r.name) }))} />
          </Form.Item>
          <Form.Item name="referralReason" label={t('cs.referralReason')} rules={required(t('cs.referralReason'))}>
            <Input.TextArea rows={2} maxLength={1000} data-testid="referral-reason" />
          </Form.Item>
        </>
      )}
      {disposition === 'safety_plan' && (
        <Form.Item name="followUpOn" label={t('cs.followUpOn')} rules={required(t('cs.followUpOn'))}>
          <DatePicker disabledDate={noPast} data-testid="follow-up-on" />
        </Form.Item>
      )}
      {disposition && (
        <Form.Item name="reason" label={disposition === 'none' ? t('cs.noActionReason') : t('cs.note')}
          rules={disposition === 'none' ? required(t('cs.noActionReason')) : undefined}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="disposition-reason" />
        </Form.Item>
      )}
      {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="assessment-save">{t('cs.save')}</Button>
    </Form>
  )
}

function answerText(item: FormItem, v: unknown, locale: 'zh-CN' | 'en', t: (k: MessageKey) => string): string {
  if (v === undefined || v === null) return t('cs.answerNone')
  if (item.type === 'yes_no') return v ? t('cs.yes') : t('cs.no')
  const byValue = (x: unknown) => item.options?.find((o) => o.value === x)?.label[locale] ?? String(x)
  if (item.type === 'choice') return byValue(v)
  if (item.type === 'multi') return Array.isArray(v) ? v.map(byValue).join(locale === 'en' ? ', ' : '、') : ''
  return typeof v === 'string' ? v : ''
}

function AssessmentSummary({ crisisId, def }: { crisisId: string; def: FormDef }) {
  const { t, locale, label } = useI18n()
  const a = useApi<Row & { answers?: Record<string, unknown> }>(routes.crisisAssessment(crisisId))
  return (
    <Section loaded={a}>
      {(row) => (
        <div data-testid="assessment-summary" className="xa-stack">
          <Descriptions size="small" column={1} bordered
            items={[
              { key: 'disposition', label: t('cs.dispositionTitle'), children: <strong data-testid="assessment-disposition">{label('disposition', row.disposition)}</strong> },
              ...(row.followUpOn ? [{ key: 'f', label: t('cs.followUpOn'), children: formatDate(asText(row.followUpOn), locale) }] : []),
              ...(row.reason ? [{ key: 'r', label: row.disposition === 'none' ? t('cs.noActionReason') : t('cs.note'), children: asText(row.reason) }] : []),
              ...(row.referralId ? [{ key: 'ref', label: t('cs.referralOpened'), children: <Tag color="red">{t('field.urgent')}</Tag> }] : []),
              { key: 'at', label: t('cs.assessedAt'), children: formatDateTime(asText(row.assessedAt), locale) },
            ]} />
          <Descriptions size="small" column={1}
            items={def.sections.flatMap((s) => s.items).filter((i) => visible(i, row.answers ?? {})).map((i) => ({
              key: i.key, label: i.label[locale], children: answerText(i, row.answers?.[i.key], locale, t),
            }))} />
        </div>
      )}
    </Section>
  )
}

interface ToldValues { role?: string; notTold?: boolean; channel?: string; toldAt?: Dayjs; note?: string; notToldReason?: string }

function Disclosures({ crisisId, resolved, onChange }: { crisisId: string; resolved: boolean; onChange: () => void }) {
  const { t, locale, label } = useI18n()
  const { message } = App.useApp()
  const required = useRequired()
  const list = useApi<{ items: Row[]; total: number }>(routes.crisisDisclosures(crisisId))
  const [form] = Form.useForm<ToldValues>()
  const role = Form.useWatch('role', form)
  const notTold = Form.useWatch('notTold', form) === true && role === 'guardian'
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()

  async function add(v: ToldValues) {
    setBusy(true)
    setError(undefined)
    try {
      const now = dayjs()
      const at = v.toldAt && !v.toldAt.isSame(now, 'day') ? v.toldAt.hour(12).toISOString() : undefined
      await api(routes.crisisDisclosures(crisisId), {
        method: 'POST',
        body: notTold
          ? { role: 'guardian', notTold: true, notToldReason: v.notToldReason }
          : { role: v.role, channel: v.channel, ...(at ? { toldAt: at } : {}), ...(v.note?.trim() ? { note: v.note.trim() } : {}) },
      })
      message.success(t('common.saved'))
      form.resetFields()
      list.reload()
      onChange()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack">
      <Section loaded={list}>
        {(l) => l.items.length === 0
          ? <Typography.Text type="secondary" data-testid="told-empty">{t('cs.toldEmpty')}</Typography.Text>
          : (
            <Table<Row> size="small" pagination={false} rowKey={(r) => String(r.id)} dataSource={l.items} data-testid="disclosures"
              columns={[
                { key: 'role', title: t('field.role'), render: (_, r) => label('disclosureRole', r.role) },
                { key: 'how', title: t('field.channel'), render: (_, r) => (r.notToldReason ? <Tag color="orange">{t('cs.notTold')}</Tag> : label('disclosureChannel', r.channel)) },
                { key: 'at', title: t('cs.toldAt'), render: (_, r) => (r.toldAt ? formatDateTime(asText(r.toldAt), locale) : '—') },
                { key: 'note', title: t('field.note'), render: (_, r) => asText(r.notToldReason ?? r.note) },
              ]} />
          )}
      </Section>
      {!resolved && (
        <Form<ToldValues> form={form} layout="inline" onFinish={(v) => void add(v)} disabled={busy} data-testid="told-form"
          style={{ rowGap: 8 }}>
          <Form.Item name="role" label={t('field.role')} rules={required(t('field.role'))}>
            <Select style={{ width: 140 }} data-testid="told-role"
              options={['homeroom_teacher', 'guardian', 'school_leader', 'other'].map((r) => ({ value: r, label: label('disclosureRole', r) }))} />
          </Form.Item>
          {role === 'guardian' && (
            <Form.Item name="notTold" valuePropName="checked" tooltip={t('cs.notToldHelp')}>
              <Checkbox data-testid="told-not-told">{t('cs.notTold')}</Checkbox>
            </Form.Item>
          )}
          {notTold ? (
            <Form.Item name="notToldReason" label={t('field.notToldReason')} rules={required(t('field.notToldReason'))}>
              <Input style={{ width: 280 }} maxLength={500} data-testid="told-reason" />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="channel" label={t('field.channel')} rules={required(t('field.channel'))}>
                <Select style={{ width: 110 }} data-testid="told-channel"
                  options={['in_person', 'phone', 'message', 'other'].map((c) => ({ value: c, label: label('disclosureChannel', c) }))} />
              </Form.Item>
              <Form.Item name="toldAt" label={t('cs.toldAt')}>
                <DatePicker disabledDate={noFuture} placeholder={t('cs.now')} />
              </Form.Item>
              <Form.Item name="note" label={t('cs.toldNote')}>
                <Input style={{ width: 200 }} maxLength={500} />
              </Form.Item>
            </>
          )}
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="told-add">{t('cs.addTold')}</Button>
          </Form.Item>
        </Form>
      )}
      {error && <WriteError error={error} />}
    </div>
  )
}

/**
 * 修改中文措辞: the school's own Chinese wording of each item, one input per item showing what
 * is asked now. Emptying an input goes back to the form's own wording; the English stays.
 */
function WordingDialog({ def, onClose, onSaved }: { def: FormDef; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const items = def.sections.flatMap((s) => s.items)
  const [form] = Form.useForm<Record<string, string>>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const initial = Object.fromEntries(items.map((i) => [i.key, i.label['zh-CN']]))

  async function save(v: Record<string, string>) {
    setBusy(true)
    setError(undefined)
    try {
      // Only what changed is sent, so another teacher's change to another item is kept; an emptied input goes back to the form's own.
      const texts: Record<string, string> = {}
      for (const i of items) {
        const text = (v[i.key] ?? '').trim()
        if (text !== initial[i.key]) texts[i.key] = text
      }
      await api(routes.safetyAssessmentFormWording, { method: 'PUT', body: { texts } })
      message.success(t('cs.wordingSaved'))
      onSaved()
      onClose()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open title={t('cs.wordingTitle')} onCancel={onClose} onOk={() => form.submit()} okText={t('cs.wordingSave')}
      confirmLoading={busy} destroyOnHidden width={760} data-testid="wording-dialog">
      <Typography.Paragraph type="secondary">{t('cs.wordingHelp')}</Typography.Paragraph>
      <Form<Record<string, string>> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void save(v)} disabled={busy}>
        {items.map((i) => (
          <Form.Item key={i.key} name={i.key} label={i.label['zh-CN']} extra={i.zhSchoolWording ? t('cs.schoolWording') : undefined}>
            <Input maxLength={300} allowClear data-testid={`wording-${i.key}`} />
          </Form.Item>
        ))}
      </Form>
      {error && <WriteError error={error} />}
    </Modal>
  )
}

function WordingButton({ def, onSaved }: { def: FormDef; onSaved: () => void }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid="wording-open">{t('cs.wordingEdit')}</Button>
      {open && <WordingDialog def={def} onClose={() => setOpen(false)} onSaved={onSaved} />}
    </>
  )
}

function Part({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="xa-stack">
      <Typography.Title level={4} style={{ margin: '8px 0 0' }}>{title}</Typography.Title>
      {children}
    </section>
  )
}

function CrisisSafetyDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, locale } = useI18n()
  const crisis = useApi<CrisisRow>(routes.crisisEvent(id))
  const form = useApi<FormDef>(routes.safetyAssessmentForm)
  const resolved = crisis.data?.status === 'resolved'
  return (
    <Modal open title={t('cs.title')} onCancel={onClose} footer={<Button onClick={onClose}>{t('cs.close')}</Button>}
      destroyOnHidden width={860} data-testid="crisis-safety-dialog">
      <div className="xa-stack">
        <Section loaded={crisis}>{(c) => (c.safety ? <SafetyBlockers safety={c.safety} /> : null)}</Section>
        <Section loaded={form}>
          {(def) => (
            <Part title={def.name[locale]}>
              <Space wrap>
                {locale === 'zh-CN' && <Typography.Text type="secondary">{t('cs.reviewNote')}</Typography.Text>}
                {!crisis.data?.safety?.assessed && !resolved && <WordingButton def={def} onSaved={form.reload} />}
              </Space>
              {crisis.data?.safety?.assessed
                ? <AssessmentSummary crisisId={id} def={def} />
                : resolved ? null : <AssessmentForm crisisId={id} def={def} onSaved={crisis.reload} />}
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="form-licence">
                {t('cs.licence')}：{def.licence}
              </Typography.Paragraph>
            </Part>
          )}
        </Section>
        <Part title={t('cs.told')}>
          <Disclosures crisisId={id} resolved={resolved} onChange={crisis.reload} />
        </Part>
      </div>
    </Modal>
  )
}

export function CrisisSafetyButton({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button size="small" icon={<SafetyCertificateOutlined aria-hidden />} onClick={() => setOpen(true)} data-testid="crisis-safety-open">{t('cs.open')}</Button>
      {open && <CrisisSafetyDialog id={id} onClose={() => { setOpen(false); onDone() }} />}
    </>
  )
}
