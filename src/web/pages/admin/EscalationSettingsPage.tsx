import { useEffect, useState } from 'react'
import { Alert, App, Button, Card, Checkbox, DatePicker, Form, InputNumber, Select, Space, Table, Tabs, Tag, TimePicker, Typography } from 'antd'
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { useAuth } from '../../api/session'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { Popconfirm } from '../../components/forms'
import { useFailure, WriteError } from '../practices/shared'

type Kind = 'crisis' | 'alert'
const ROLES = ['psych_teacher', 'school_admin'] as const
type RecipientRole = (typeof ROLES)[number]

interface StepValues { afterMinutes: number; roles: RecipientRole[]; userIds: string[]; onCall: boolean }
interface ChainValues { steps: StepValues[]; repeatMinutes: number }
interface Chain {
  kind: Kind
  steps: Array<{ afterMinutes: number; recipients: { roles: RecipientRole[]; userIds: string[]; onCall: boolean } }>
  repeatMinutes: number
  isDefault: boolean
}
interface OnCallNow { mode: 'school_hours' | 'roster' | 'nobody_on_call'; userIds: string[] }
interface Hours { dayStart: string; dayEnd: string; weekdays: number[]; isDefault: boolean }

const when = (v: unknown) => (typeof v === 'string' ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—')

/**
 * 危机上报链与值班表: the school admin sets who is told, step by step, when a crisis or a peer
 * alert is not acknowledged, the on-call roster for nights, weekends and holidays, and the
 * school hours; psychology teachers see the same screen without the controls.
 */
export default function EscalationSettingsPage() {
  const { t } = useI18n()
  const canEdit = useAuth().roles.includes('school_admin')
  const users = useApi<Page<Row>>(routes.users, { limit: 500, status: 'active' })
  const names = new Map((users.data?.items ?? []).map((u) => [String(u.id), asText(u.displayName)]))
  const now = useApi<OnCallNow>(routes.onCallNow)

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('esc.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('esc.help')}</Typography.Paragraph>
      {!canEdit && <Alert type="info" showIcon title={t('esc.readOnly')} data-testid="read-only" />}
      <Card title={t('esc.now.title')} size="small" data-testid="on-call-now">
        <Section loaded={now}>
          {(n) => (
            <Space orientation="vertical">
              <span>{t(n.mode === 'school_hours' ? 'esc.now.schoolHours' : n.mode === 'roster' ? 'esc.now.roster' : 'esc.now.nobody')}</span>
              <span>{n.userIds.length ? t('esc.now.people', { names: n.userIds.map((id) => names.get(id) ?? '…').join('、') }) : t('esc.now.none')}</span>
            </Space>
          )}
        </Section>
      </Card>
      <Card size="small">
        <Tabs items={(['crisis', 'alert'] as const).map((kind) => ({
          key: kind, label: t(kind === 'crisis' ? 'esc.chain.crisis' : 'esc.chain.alert'),
          children: <ChainEditor kind={kind} canEdit={canEdit} names={names} />,
        }))} />
      </Card>
      <Roster canEdit={canEdit} names={names} onChange={now.reload} />
      <SchoolHours canEdit={canEdit} onChange={now.reload} />
    </div>
  )
}

function ChainEditor({ kind, canEdit, names }: { kind: Kind; canEdit: boolean; names: Map<string, string> }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const chain = useApi<Chain>(routes.escalationChain(kind))
  const [form] = Form.useForm<ChainValues>()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!chain.data) return
    form.setFieldsValue({
      repeatMinutes: chain.data.repeatMinutes,
      steps: chain.data.steps.map((s) => ({ afterMinutes: s.afterMinutes, roles: s.recipients.roles, userIds: s.recipients.userIds, onCall: s.recipients.onCall })),
    })
  }, [chain.data, form])

  async function save(v: ChainValues) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.escalationChain(kind), {
        method: 'PUT',
        body: {
          repeatMinutes: v.repeatMinutes,
          steps: v.steps.map((s) => ({ afterMinutes: s.afterMinutes, recipients: { roles: s.roles ?? [], userIds: s.userIds ?? [], onCall: !!s.onCall } })),
        },
      })
      message.success(t('common.saved'))
      chain.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  async function reset() {
    try {
      await api(routes.escalationChain(kind), { method: 'DELETE' })
      chain.reload()
    } catch (e) {
      setError(e)
    }
  }

  const staffOptions = [...names].map(([value, label]) => ({ value, label }))
  return (
    <Section loaded={chain}>
      {(c) => (
        <Form<ChainValues> form={form} layout="vertical" disabled={!canEdit} onFinish={(v) => void save(v)} data-testid={`chain-${kind}`}>
          <Tag color={c.isDefault ? 'default' : 'blue'} style={{ marginBottom: 12 }}>{t(c.isDefault ? 'esc.chain.default' : 'esc.chain.custom')}</Tag>
          <WriteError error={error} />
          <Form.List name="steps">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%' }}>
                {fields.map((field, i) => (
                  <Card key={field.key} size="small" title={t('esc.step', { n: i + 1 })} data-testid="chain-step"
                    extra={canEdit && fields.length > 1 ? <Button size="small" type="text" icon={<MinusCircleOutlined aria-hidden />} onClick={() => remove(field.name)}>{t('esc.step.remove')}</Button> : null}>
                    <Space wrap align="start" size="large">
                      <Form.Item name={[field.name, 'afterMinutes']} label={t(i === 0 ? 'esc.step.firstAfter' : 'esc.step.after')} rules={[{ required: true }]}>
                        <InputNumber min={i === 0 ? 0 : 1} max={1440} aria-label={t(i === 0 ? 'esc.step.firstAfter' : 'esc.step.after')} />
                      </Form.Item>
                      <Form.Item name={[field.name, 'roles']} label={t('esc.step.recipients')}>
                        <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t(`esc.role.${r}`) }))} />
                      </Form.Item>
                      <Form.Item name={[field.name, 'onCall']} valuePropName="checked" label={t('esc.step.onCall')} extra={t('esc.step.onCallHelp')}>
                        <Checkbox>{t('esc.step.onCall')}</Checkbox>
                      </Form.Item>
                      <Form.Item name={[field.name, 'userIds']} label={t('esc.step.named')} style={{ minWidth: 240 }}>
                        <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={staffOptions} aria-label={t('esc.step.named')} />
                      </Form.Item>
                    </Space>
                  </Card>
                ))}
                {canEdit && fields.length < 6 && (
                  <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({ afterMinutes: 15, roles: ['psych_teacher'], userIds: [], onCall: false })} data-testid="add-step">{t('esc.step.add')}</Button>
                )}
              </Space>
            )}
          </Form.List>
          <Form.Item name="repeatMinutes" label={t('esc.repeat')} rules={[{ required: true }]} style={{ marginTop: 12 }}>
            <InputNumber min={5} max={1440} aria-label={t('esc.repeat')} />
          </Form.Item>
          {canEdit && (
            <Space>
              <Button type="primary" htmlType="submit" loading={busy} data-testid={`save-chain-${kind}`}>{t('esc.save')}</Button>
              {!c.isDefault && (
                <Popconfirm title={t('esc.resetConfirm')} okText={t('esc.reset')} cancelText={t('common.cancel')} onConfirm={() => reset()}>
                  <Button>{t('esc.reset')}</Button>
                </Popconfirm>
              )}
            </Space>
          )}
        </Form>
      )}
    </Section>
  )
}

function Roster({ canEdit, names, onChange }: { canEdit: boolean; names: Map<string, string>; onChange: () => void }) {
  const { t } = useI18n()
  const fail = useFailure()
  const shifts = useApi<Page<Row>>(routes.onCall, { limit: 200 })
  const [form] = Form.useForm<{ userId: string; period: [Dayjs, Dayjs] }>()
  const [error, setError] = useState<unknown>(null)

  async function add(v: { userId: string; period: [Dayjs, Dayjs] }) {
    setError(null)
    try {
      await api(routes.onCall, { method: 'POST', body: { userId: v.userId, startsAt: v.period[0].format(), endsAt: v.period[1].format() } })
      form.resetFields()
      shifts.reload()
      onChange()
    } catch (e) {
      setError(e)
    }
  }

  async function remove(id: string) {
    try {
      await api(routes.onCallShift(id), { method: 'DELETE' })
      shifts.reload()
      onChange()
    } catch (e) {
      fail(e)
    }
  }

  return (
    <Card title={t('esc.roster.title')} size="small" data-testid="roster">
      <Typography.Paragraph type="secondary">{t('esc.roster.help')}</Typography.Paragraph>
      {canEdit && (
        <Form form={form} layout="inline" onFinish={(v) => void add(v)} style={{ marginBottom: 12, rowGap: 8 }} data-testid="roster-form">
          <Form.Item name="userId" label={t('esc.roster.teacher')} htmlFor="on-call-user" rules={[{ required: true, message: t('login.required', { field: t('esc.roster.teacher') }) }]}>
            <Select id="on-call-user" style={{ width: 180 }} showSearch={{ optionFilterProp: 'label' }} options={[...names].map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="period" label={t('esc.roster.period')} rules={[{ required: true, message: t('login.required', { field: t('esc.roster.period') }) }]}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" aria-label={t('esc.roster.period')} />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<PlusOutlined aria-hidden />} data-testid="add-shift">{t('esc.roster.add')}</Button>
        </Form>
      )}
      <WriteError error={error} />
      <Section loaded={shifts}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="shifts"
            locale={{ emptyText: t('esc.roster.empty') }}
            columns={[
              { key: 'user', title: t('esc.roster.teacher'), render: (_: unknown, r: Row) => names.get(String(r.userId)) ?? '…' },
              { key: 'from', title: t('esc.roster.from'), render: (_: unknown, r: Row) => when(r.startsAt) },
              { key: 'to', title: t('esc.roster.to'), render: (_: unknown, r: Row) => when(r.endsAt) },
              ...(canEdit ? [{ key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Popconfirm title={t('esc.roster.removeConfirm')} okText={t('esc.roster.remove')} cancelText={t('common.cancel')} onConfirm={() => remove(String(r.id))}>
                  <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('esc.roster.remove')}</Button>
                </Popconfirm>
              ) }] : []),
            ]} />
        )}
      </Section>
    </Card>
  )
}

function SchoolHours({ canEdit, onChange }: { canEdit: boolean; onChange: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const hours = useApi<Hours>(routes.schoolHours)
  const [form] = Form.useForm<{ start: Dayjs; end: Dayjs; weekdays: number[] }>()
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!hours.data) return
    form.setFieldsValue({ start: dayjs(`2000-01-01T${hours.data.dayStart}`), end: dayjs(`2000-01-01T${hours.data.dayEnd}`), weekdays: hours.data.weekdays })
  }, [hours.data, form])

  async function save(v: { start: Dayjs; end: Dayjs; weekdays: number[] }) {
    setError(null)
    try {
      await api(routes.schoolHours, { method: 'PUT', body: { dayStart: v.start.format('HH:mm'), dayEnd: v.end.format('HH:mm'), weekdays: v.weekdays } })
      message.success(t('common.saved'))
      hours.reload()
      onChange()
    } catch (e) {
      setError(e)
    }
  }

  return (
    <Card title={t('esc.hours.title')} size="small" data-testid="school-hours">
      <Typography.Paragraph type="secondary">{t('esc.hours.help')}</Typography.Paragraph>
      <Section loaded={hours}>
        {(h) => (
          <Form form={form} layout="inline" disabled={!canEdit} onFinish={(v) => void save(v)} style={{ rowGap: 8 }}>
            {h.isDefault && <Tag style={{ marginBottom: 8 }}>{t('esc.hours.default')}</Tag>}
            <WriteError error={error} />
            <Form.Item name="start" label={t('esc.hours.start')} rules={[{ required: true }]}>
              <TimePicker format="HH:mm" minuteStep={5} aria-label={t('esc.hours.start')} />
            </Form.Item>
            <Form.Item name="end" label={t('esc.hours.end')} rules={[{ required: true }]}>
              <TimePicker format="HH:mm" minuteStep={5} aria-label={t('esc.hours.end')} />
            </Form.Item>
            <Form.Item name="weekdays" label={t('esc.hours.weekdays')} rules={[{ required: true }]}>
              <Checkbox.Group options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`esc.weekday.${d}` as 'esc.weekday.1') }))} />
            </Form.Item>
            {canEdit && <Button type="primary" htmlType="submit" data-testid="save-hours">{t('esc.hours.save')}</Button>}
          </Form>
        )}
      </Section>
    </Card>
  )
}
