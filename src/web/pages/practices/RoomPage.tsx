import { useEffect, useState } from 'react'
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd'
import { DeleteOutlined, EditOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { Popconfirm } from '../../components/forms'
import RoomSummary from './RoomSummary'
import { CATEGORIES, FOLLOW_UPS, StudentPicker, useFailure, WriteError } from './shared'

interface VisitValues { studentId: string | null; visitDate: Dayjs; durationMin: number; topic: string; followUp: string }
interface SessionValues { sessionDate: Dayjs; kind: string; topic: string; attendance: number; durationMin?: number | null }

const GROUP_KINDS = ['general', 'special_students', 'special_parents'] as const

const day = (v: unknown) => (typeof v === 'string' ? dayjs(v) : dayjs())
const notFuture = (d: Dayjs) => d.isAfter(dayjs(), 'day')

/** One modal for a new record and for editing one: POST or PATCH, then the list reloads. */
function useEditor<V extends object>(create: string, one: (id: string) => string, toBody: (v: V) => object, reload: () => void) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<V>()
  const [editing, setEditing] = useState<Row | 'new' | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  async function save(v: V) {
    setBusy(true)
    setError(null)
    try {
      if (editing === 'new') await api(create, { method: 'POST', body: toBody(v) })
      else if (editing) await api(one(String(editing.id)), { method: 'PATCH', body: toBody(v) })
      message.success(t('common.saved'))
      setEditing(null)
      reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return { form, editing, setEditing: (e: Row | 'new' | null) => { setError(null); setEditing(e) }, busy, error, save }
}

function Visits() {
  const { t, label, locale } = useI18n()
  const fail = useFailure()
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const visits = useApi<Page<Row>>(routes.roomVisits, { limit: 200, from: range?.[0]?.format('YYYY-MM-DD'), to: range?.[1]?.format('YYYY-MM-DD') })
  const ed = useEditor<VisitValues>(routes.roomVisits, routes.roomVisit, (v) => ({
    studentId: v.studentId ?? null, visitDate: v.visitDate.format('YYYY-MM-DD'), durationMin: v.durationMin, topic: v.topic, followUp: v.followUp,
  }), visits.reload)
  useEffect(() => {
    if (ed.editing === null) return
    const r = ed.editing === 'new' ? null : ed.editing
    ed.form.setFieldsValue({
      studentId: (r?.studentId as string | null) ?? null,
      visitDate: day(r?.visitDate),
      durationMin: typeof r?.durationMin === 'number' ? r.durationMin : 30,
      topic: typeof r?.topic === 'string' ? r.topic : undefined,
      followUp: typeof r?.followUp === 'string' ? r.followUp : 'none',
    })
  }, [ed.editing, ed.form])

  async function remove(id: string) {
    try {
      await api(routes.roomVisit(id), { method: 'DELETE' })
      visits.reload()
    } catch (e) {
      fail(e)
    }
  }

  return (
    <div className="xa-stack">
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => ed.setEditing('new')} data-testid="new-visit">{t('room.newVisit')}</Button>
        <label htmlFor="visits-range">{t('room.range')}</label>
        <DatePicker.RangePicker id={{ start: 'visits-range' }} allowEmpty={[true, true]} value={range} onChange={(v) => setRange(v)} />
      </Space>
      <Section loaded={visits}>
        {(p) => (
          <>
            <Typography.Text type="secondary">{t('common.total', { n: p.total })}</Typography.Text>
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="visits" scroll={{ x: 'max-content' }}
              pagination={p.items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              columns={[
                { key: 'visitDate', dataIndex: 'visitDate', title: t('room.visitDate'), render: (v: unknown) => formatDate(v, locale) },
                { key: 'student', title: t('common.student'), render: (_: unknown, r: Row) => (r.studentId ? <StudentRef row={r} /> : <Tag icon={<UserOutlined aria-hidden />}>{t('room.walkIn')}</Tag>) },
                { key: 'durationMin', dataIndex: 'durationMin', title: t('field.durationMin'), align: 'right' },
                { key: 'topic', title: t('room.topic'), render: (_: unknown, r: Row) => label('category', r.topic) },
                { key: 'followUp', title: t('room.followUp'), render: (_: unknown, r: Row) => label('followUp', r.followUp) },
                { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                  <Space>
                    <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => ed.setEditing(r)}>{t('practices.edit')}</Button>
                    <Popconfirm title={t('room.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(String(r.id))}>
                      <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                    </Popconfirm>
                  </Space>
                ) },
              ]} />
          </>
        )}
      </Section>
      <Modal open={ed.editing !== null} title={ed.editing === 'new' ? t('room.newVisit') : t('room.editVisit')} onCancel={() => ed.setEditing(null)}
        okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => ed.form.submit()} confirmLoading={ed.busy} forceRender>
        <WriteError error={ed.error} />
        <Form<VisitValues> form={ed.form} layout="vertical" onFinish={(v) => void ed.save(v)} data-testid="visit-form">
          <Form.Item name="studentId" label={t('common.student')} extra={t('room.walkInHelp')} htmlFor="visit-student">
            <StudentPicker id="visit-student" />
          </Form.Item>
          <Form.Item name="visitDate" label={t('room.visitDate')} rules={[{ required: true }]}>
            <DatePicker style={{ width: '100%' }} disabledDate={notFuture} />
          </Form.Item>
          <Form.Item name="durationMin" label={t('field.durationMin')} rules={[{ required: true }]}>
            <InputNumber min={1} max={480} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="topic" label={t('room.topic')} rules={[{ required: true, message: t('login.required', { field: t('room.topic') }) }]} htmlFor="visit-topic">
            <Select id="visit-topic" options={CATEGORIES.map((c) => ({ value: c, label: label('category', c) }))} />
          </Form.Item>
          <Form.Item name="followUp" label={t('room.followUp')} rules={[{ required: true }]} htmlFor="visit-followup">
            <Select id="visit-followup" options={FOLLOW_UPS.map((c) => ({ value: c, label: label('followUp', c) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  )
}

function Sessions() {
  const { t, locale, label } = useI18n()
  const fail = useFailure()
  const sessions = useApi<Page<Row>>(routes.roomSessions, { limit: 200 })
  const ed = useEditor<SessionValues>(routes.roomSessions, routes.roomSession, (v) => ({
    sessionDate: v.sessionDate.format('YYYY-MM-DD'), kind: v.kind, topic: v.topic.trim(), attendance: v.attendance, durationMin: v.durationMin ?? null,
  }), sessions.reload)
  useEffect(() => {
    if (ed.editing === null) return
    const r = ed.editing === 'new' ? null : ed.editing
    ed.form.setFieldsValue({
      sessionDate: day(r?.sessionDate),
      kind: typeof r?.kind === 'string' ? r.kind : 'general',
      topic: typeof r?.topic === 'string' ? r.topic : '',
      attendance: typeof r?.attendance === 'number' ? r.attendance : undefined,
      durationMin: typeof r?.durationMin === 'number' ? r.durationMin : 45,
    })
  }, [ed.editing, ed.form])

  async function remove(id: string) {
    try {
      await api(routes.roomSession(id), { method: 'DELETE' })
      sessions.reload()
    } catch (e) {
      fail(e)
    }
  }

  return (
    <div className="xa-stack">
      <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => ed.setEditing('new')} data-testid="new-session">{t('room.newSession')}</Button>
      <Section loaded={sessions}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="sessions" scroll={{ x: 'max-content' }}
            pagination={p.items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            columns={[
              { key: 'sessionDate', dataIndex: 'sessionDate', title: t('field.sessionDate'), render: (v: unknown) => formatDate(v, locale) },
              { key: 'kind', title: t('lessons.groupKind'), render: (_: unknown, r: Row) => label('groupKind', r.kind) },
              { key: 'topic', dataIndex: 'topic', title: t('room.sessionTopic') },
              { key: 'attendance', dataIndex: 'attendance', title: t('room.attendance'), align: 'right' },
              { key: 'durationMin', dataIndex: 'durationMin', title: t('field.durationMin'), align: 'right', render: (v: unknown) => asText(v, '—') },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space>
                  <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => ed.setEditing(r)}>{t('practices.edit')}</Button>
                  <Popconfirm title={t('room.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(String(r.id))}>
                    <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                  </Popconfirm>
                </Space>
              ) },
            ]} />
        )}
      </Section>
      <Modal open={ed.editing !== null} title={ed.editing === 'new' ? t('room.newSession') : t('room.editSession')} onCancel={() => ed.setEditing(null)}
        okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => ed.form.submit()} confirmLoading={ed.busy} forceRender>
        <WriteError error={ed.error} />
        <Form<SessionValues> form={ed.form} layout="vertical" onFinish={(v) => void ed.save(v)} data-testid="session-form">
          <Form.Item name="sessionDate" label={t('field.sessionDate')} rules={[{ required: true }]}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="kind" label={t('lessons.groupKind')} rules={[{ required: true }]}>
            <Select id="session-kind" options={GROUP_KINDS.map((c) => ({ value: c, label: label('groupKind', c) }))} />
          </Form.Item>
          <Form.Item name="topic" label={t('room.sessionTopic')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('room.sessionTopic') }) }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="attendance" label={t('room.attendance')} rules={[{ required: true, message: t('login.required', { field: t('room.attendance') }) }]}>
            <InputNumber min={0} max={5000} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="durationMin" label={t('field.durationMin')}>
            <InputNumber min={1} max={480} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  )
}

function RoomInfo() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const settings = useApi<Row>(routes.roomSettings)
  const [form] = Form.useForm<{ location?: string; openingHours?: string }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    if (settings.data) form.setFieldsValue({ location: (settings.data.location as string | null) ?? '', openingHours: (settings.data.openingHours as string | null) ?? '' })
  }, [settings.data, form])
  async function save(v: { location?: string; openingHours?: string }) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.roomSettings, { method: 'PUT', body: { location: v.location?.trim() || null, openingHours: v.openingHours?.trim() || null } })
      message.success(t('common.saved'))
      settings.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card className="xa-narrow" style={{ marginLeft: 0 }}>
      <Section loaded={settings}>
        {() => (
          <>
            <WriteError error={error} />
            <Form form={form} layout="vertical" onFinish={(v) => void save(v)} disabled={busy} data-testid="room-settings">
              <Form.Item name="location" label={t('room.location')}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="openingHours" label={t('room.openingHours')}>
                <Input.TextArea rows={3} maxLength={500} showCount />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>{t('common.save')}</Button>
            </Form>
          </>
        )}
      </Section>
    </Card>
  )
}

/** 心理辅导室 for psychology teachers: visits, group sessions, the room's hours, the inspection summary. */
export default function RoomPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('room.title')}</Typography.Title>
      <Tabs destroyOnHidden items={[
        { key: 'visits', label: t('room.visits'), children: <Visits /> },
        { key: 'sessions', label: t('room.sessions'), children: <Sessions /> },
        { key: 'settings', label: t('room.settings'), children: <RoomInfo /> },
        { key: 'summary', label: t('room.summary'), children: <RoomSummary /> },
      ]} />
    </div>
  )
}
