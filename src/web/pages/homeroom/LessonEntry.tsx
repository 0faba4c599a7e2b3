import { useState } from 'react'
import { App, Button, Card, Checkbox, DatePicker, Form, Input, InputNumber, Space, Typography } from 'antd'
import { TeamOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { asApiError, DialogButton, FormDialog, noFuture, useRequired, WriteError } from '../../components/forms'
import type { Row } from '../../components/records'
import type { ApiError } from '../../api/client'
import { ActivityFields, activityBody, type ActivityBasics } from '../lessons/activity-fields'

export const LESSON_KINDS = ['life_safety', 'mental_health', 'class_meeting', 'sunshine'] as const
type Kind = (typeof LESSON_KINDS)[number]

interface ActivityValues extends ActivityBasics { participants: number }

/** 记录班级活动: a themed activity held in the teacher's own class (reach: the class), with a head count. */
function ClassActivityButton({ classId }: { classId: string }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <DialogButton label={t('lessons.entry.classActivity')} icon={<TeamOutlined aria-hidden />} testId="class-activity">
      {(open, close) => (
        <FormDialog<ActivityValues> open={open} onClose={close} title={t('lessons.entry.classActivity')} testId="class-activity-dialog"
          initialValues={{ kind: 'other', dates: [dayjs(), null] }}
          onSubmit={(v) => api(routes.schoolActivities, {
            method: 'POST',
            body: { ...activityBody(v), reach: 'class', classId, participants: v.participants },
          })}>
          <ActivityFields />
          <Form.Item name="participants" label={t('field.participants')} rules={required(t('field.participants'))}>
            <InputNumber min={0} max={100000} style={{ width: '100%' }} />
          </Form.Item>
        </FormDialog>
      )}
    </DialogButton>
  )
}

interface EntryValues { heldOn: Dayjs; kinds: Kind[]; periods: Partial<Record<Kind, number>>; topic?: string }

/**
 * 课程与活动记录 for a homeroom teacher: one day, the kinds of lesson the class had, their
 * 课时 and an optional topic, in one request; below it, what the class has recorded this month.
 */
export function LessonEntry({ classId }: { classId: string }) {
  const { t, label } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<EntryValues>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const monthStart = dayjs().startOf('month').format('YYYY-MM-DD')
  const recent = useApi<Page<Row>>(routes.lessons, { classId, from: monthStart, limit: 500 })
  const kinds = Form.useWatch('kinds', form) ?? []

  async function save(v: EntryValues) {
    setBusy(true)
    setError(null)
    try {
      const topic = v.topic?.trim()
      const res = await api<{ items: Row[] }>(routes.lessons, {
        method: 'POST',
        body: {
          classId, heldOn: v.heldOn.format('YYYY-MM-DD'),
          lessons: v.kinds.map((kind) => ({ kind, periods: v.periods?.[kind] ?? 1, ...(topic ? { topic } : {}) })),
        },
      })
      message.success(t('lessons.entry.saved', { n: res.items.length }))
      form.setFieldsValue({ kinds: [], topic: '' })
      recent.reload()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  const counts = LESSON_KINDS.map((kind) => {
    const rows = (recent.data?.items ?? []).filter((r) => r.kind === kind)
    return { kind, n: rows.length, p: rows.reduce((s, r) => s + (typeof r.periods === 'number' ? r.periods : 0), 0) }
  }).filter((c) => c.n > 0)

  return (
    <Card title={<h2 className="xa-card-title">{t('lessons.entry.title')}</h2>} data-testid="lesson-entry" extra={<ClassActivityButton classId={classId} />}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{t('lessons.entry.help')}</Typography.Paragraph>
      <Form<EntryValues> form={form} layout="vertical" initialValues={{ heldOn: dayjs(), kinds: [], periods: {} }} onFinish={(v) => void save(v)} disabled={busy}>
        <Form.Item name="heldOn" label={t('lessons.entry.date')} rules={[{ required: true, message: t('login.required', { field: t('lessons.entry.date') }) }]}>
          <DatePicker disabledDate={noFuture} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="kinds" rules={[{ required: true, type: 'array', min: 1, message: t('lessons.entry.pickOne') }]}>
          <Checkbox.Group style={{ display: 'block' }}>
            <Space orientation="vertical">
              {LESSON_KINDS.map((kind) => (
                <Space key={kind} wrap>
                  <Checkbox value={kind} data-testid={`lesson-kind-${kind}`}>{label('lessonKind', kind)}</Checkbox>
                  {kinds.includes(kind) && (
                    <Form.Item name={['periods', kind]} noStyle>
                      <InputNumber min={1} max={10} placeholder="1" suffix={t('field.periods')} style={{ width: 140 }} aria-label={`${label('lessonKind', kind)} ${t('field.periods')}`} />
                    </Form.Item>
                  )}
                </Space>
              ))}
            </Space>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="topic" label={t('lessons.entry.topic')}>
          <Input maxLength={200} />
        </Form.Item>
        {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="lesson-save">{t('lessons.entry.save')}</Button>
      </Form>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 20 }}>{t('lessons.entry.recent')}</Typography.Title>
      <div data-testid="lesson-month">
        {counts.length === 0
          ? <Typography.Text type="secondary">{t('lessons.entry.none')}</Typography.Text>
          : <ul className="xa-plain-list">{counts.map((c) => <li key={c.kind}>{t('lessons.entry.monthCount', { kind: label('lessonKind', c.kind), n: c.n, p: c.p })}</li>)}</ul>}
      </div>
    </Card>
  )
}
