import { useState } from 'react'
import { Alert, App, Button, Card, Checkbox, DatePicker, Form, InputNumber, Select, Space, Table, Tabs, Tag, Typography } from 'antd'
import { DeleteOutlined, DownloadOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n, type Translate } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, download, type ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { asApiError, FormDialog, Popconfirm, useRequired, WriteError } from '../../components/forms'
import { useClassNames, type Row } from '../../components/records'
import { classOptions } from '../psych/student-class'
import { LESSON_KINDS } from '../homeroom/LessonEntry'
import { ActivityFields, activityBody, type ActivityBasics } from './activity-fields'

type Kind = (typeof LESSON_KINDS)[number]
const REACHES = ['school', 'grade', 'class'] as const
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const

interface Shortfall { month: string; kind: Kind; unit: 'lessons' | 'periods'; held: number; required: number }
interface ClassSummary {
  classId: string; className: string
  months: Array<{ month: string; schoolDays: number; schoolWeeks: number; kinds: Record<Kind, { lessons: number; periods: number }> }>
  shortfalls: Shortfall[]
}

const today = () => dayjs().format('YYYY-MM-DD')

/** A shortfall in plain words: "七年级(2)班 2026年11月心理健康教育 1 课时，低于每月 2 课时". */
export function shortfallText(t: Translate, label: (p: string, v: unknown) => string, klass: string, s: Shortfall): string {
  const month = t('lessons.summary.monthLabel', { y: s.month.slice(0, 4), m: String(Number(s.month.slice(5, 7))) })
  const kind = label('lessonKind', s.kind)
  return s.unit === 'periods'
    ? t('lessons.summary.reasonPeriods', { klass, month, kind, held: s.held, required: s.required })
    : t('lessons.summary.reasonLessons', { klass, month, kind, held: s.held, required: s.required, rule: t(`lessonRule.${s.kind}`) })
}

/** 开设情况: one month, each class's lessons of each kind, and which fall below the rules and why. */
function SummaryTab() {
  const { t, label } = useI18n()
  const [month, setMonth] = useState<Dayjs>(dayjs())
  const [failure, setFailure] = useState<ApiError | null>(null)
  const from = month.startOf('month').format('YYYY-MM-DD')
  const end = month.endOf('month').format('YYYY-MM-DD')
  // The current month is judged up to today: days still to come cannot be short.
  const to = end > today() ? today() : end
  const summary = useApi<{ classes: ClassSummary[] }>(from <= to ? routes.lessonSummary : null, { from, to })
  return (
    <div className="xa-stack">
      <Space wrap>
        <span>{t('lessons.summary.month')}</span>
        <DatePicker picker="month" value={month} onChange={(d) => d && setMonth(d)} allowClear={false} disabledDate={(d) => d.isAfter(dayjs(), 'month')} id="lesson-month" />
        <Button icon={<DownloadOutlined aria-hidden />} disabled={from > to} data-testid="lesson-export"
          onClick={() => void download(routes.lessonSummaryXlsx, `课程开设情况_${from}_${to}.xlsx`, { from, to }).catch((e: unknown) => setFailure(asApiError(e)))}>
          {t('lessons.summary.export')}</Button>
      </Space>
      {failure && <WriteError error={failure} />}
      <Section loaded={summary} empty={(d) => d.classes.length === 0}>
        {(d) => {
          const first = d.classes[0]?.months[0]
          const reasons = d.classes.flatMap((c) => c.shortfalls.map((s) => ({ key: `${c.classId}:${s.month}:${s.kind}`, text: shortfallText(t, label, c.className, s) })))
          return (
            <>
              {first && <Typography.Text type="secondary">{t('lessons.summary.schoolDays', { days: first.schoolDays, weeks: first.schoolWeeks })}</Typography.Text>}
              <Table<ClassSummary> size="small" rowKey="classId" dataSource={d.classes} pagination={false} scroll={{ x: 'max-content' }} data-testid="lesson-summary"
                columns={[
                  { key: 'class', title: t('lessons.summary.class'), dataIndex: 'className' },
                  ...LESSON_KINDS.map((kind) => ({
                    key: kind,
                    title: <span>{label('lessonKind', kind)}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(`lessonRule.${kind}`)}</Typography.Text></span>,
                    render: (_: unknown, c: ClassSummary) => {
                      const m = c.months[0]?.kinds[kind] ?? { lessons: 0, periods: 0 }
                      const short = c.shortfalls.some((s) => s.kind === kind)
                      const text = t('lessons.summary.cell', { n: m.lessons, p: m.periods })
                      return short ? <Tag color="red" data-testid="below-rule">{text} · {t('lessons.summary.below')}</Tag> : <span>{text}</span>
                    },
                  })),
                ]} />
              {reasons.length === 0
                ? <Alert type="success" showIcon title={t('lessons.summary.allMet')} />
                : <Alert type="warning" showIcon title={t('lessons.summary.below')} data-testid="below-reasons"
                  description={<ul className="xa-plain-list">{reasons.map((r) => <li key={r.key}>{r.text}</li>)}</ul>} />}
            </>
          )
        }}
      </Section>
    </div>
  )
}

interface PatternRow { weekday: number; kind: Kind; periods?: number; everyOtherWeek?: boolean }
interface TimetableValues { classIds: string[]; range: [Dayjs, Dayjs]; pattern: PatternRow[] }
interface TimetableResult { schoolDays: number; planned: number; existing: number; created: number }

/** 按课表批量录入: a weekly pattern over a date range for several classes; preview, then write. */
function TimetableTab() {
  const { t, label } = useI18n()
  const { message } = App.useApp()
  const required = useRequired()
  const classNames = useClassNames()
  const [form] = Form.useForm<TimetableValues>()
  const [preview, setPreview] = useState<{ body: object; result: TimetableResult } | null>(null)
  const [done, setDone] = useState<TimetableResult | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const bodyOf = (v: TimetableValues) => ({
    classIds: v.classIds, from: v.range[0].format('YYYY-MM-DD'), to: v.range[1].format('YYYY-MM-DD'),
    pattern: v.pattern.map((p) => ({ weekday: p.weekday, kind: p.kind, periods: p.periods ?? 1, everyOtherWeek: p.everyOtherWeek === true })),
  })
  async function run(body: object, dryRun: boolean) {
    setBusy(true)
    setError(null)
    try {
      const result = await api<TimetableResult>(routes.lessonTimetable, { method: 'POST', body: { ...body, dryRun } })
      if (dryRun) { setPreview({ body, result }); setDone(null) } else { setPreview(null); setDone(result); message.success(t('common.saved')) }
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Paragraph type="secondary">{t('lessons.tt.help')}</Typography.Paragraph>
      <Form<TimetableValues> form={form} layout="vertical" disabled={busy} onValuesChange={() => setPreview(null)}
        initialValues={{ pattern: [{ weekday: 1, kind: 'life_safety' }, { weekday: 3, kind: 'mental_health', everyOtherWeek: true }] }}
        onFinish={(v) => void run(bodyOf(v), true)} data-testid="timetable-form">
        <Form.Item name="classIds" label={t('lessons.tt.classes')} rules={required(t('lessons.tt.classes'))}>
          <Select mode="multiple" options={classOptions(classNames)} showSearch={{ optionFilterProp: 'label' }} id="tt-classes" />
        </Form.Item>
        <Form.Item name="range" label={t('lessons.tt.range')} rules={required(t('lessons.tt.range'))}>
          <DatePicker.RangePicker id="tt-range" />
        </Form.Item>
        <Typography.Text strong>{t('lessons.tt.pattern')}</Typography.Text>
        <Form.List name="pattern">
          {(fields, { add, remove }) => (
            <div className="xa-stack" style={{ marginTop: 8 }}>
              {fields.map((f) => (
                <Space key={f.key} wrap align="baseline">
                  <Form.Item name={[f.name, 'weekday']} rules={required(t('lessons.tt.weekday'))} noStyle>
                    <Select style={{ width: 110 }} aria-label={t('lessons.tt.weekday')} options={WEEKDAYS.map((d) => ({ value: d, label: t(`lessons.weekday.${d}`) }))} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'kind']} rules={required(t('lessons.tt.kind'))} noStyle>
                    <Select style={{ width: 150 }} aria-label={t('lessons.tt.kind')} options={LESSON_KINDS.map((k) => ({ value: k, label: label('lessonKind', k) }))} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'periods']} noStyle>
                    <InputNumber min={1} max={10} placeholder="1" suffix={t('field.periods')} style={{ width: 120 }} aria-label={t('field.periods')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'everyOtherWeek']} valuePropName="checked" noStyle>
                    <Checkbox>{t('lessons.tt.alternate')}</Checkbox>
                  </Form.Item>
                  <Button size="small" onClick={() => remove(f.name)} disabled={fields.length <= 1}>{t('lessons.tt.removeRow')}</Button>
                </Space>
              ))}
              <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={() => add({ weekday: 5, kind: 'class_meeting' })} style={{ alignSelf: 'flex-start' }}>{t('lessons.tt.addRow')}</Button>
            </div>
          )}
        </Form.List>
        <div style={{ marginTop: 16 }}>
          <Button htmlType="submit" loading={busy} data-testid="tt-preview">{t('lessons.tt.preview')}</Button>
        </div>
      </Form>
      {error && <WriteError error={error} />}
      {preview && (
        <Alert type="info" showIcon data-testid="tt-preview-result"
          title={t('lessons.tt.previewResult', { days: preview.result.schoolDays, planned: preview.result.planned, existing: preview.result.existing, toCreate: preview.result.planned - preview.result.existing })}
          action={<Button type="primary" loading={busy} disabled={preview.result.planned - preview.result.existing === 0} onClick={() => void run(preview.body, false)} data-testid="tt-confirm">
            {t('lessons.tt.confirm', { n: preview.result.planned - preview.result.existing })}</Button>} />
      )}
      {done && <Alert type="success" showIcon data-testid="tt-done" title={t('lessons.tt.done', { created: done.created, existing: done.existing })} />}
    </div>
  )
}

interface ActivityValues extends ActivityBasics { reach: string; gradeId?: string; classId?: string; participants: number }

/** 主题活动: the list, a dialog to add or change one, delete. */
function ActivitiesTab() {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const classNames = useClassNames()
  const grades = useApi<Page<Row>>(routes.grades, { limit: 100 })
  const gradeNames = new Map((grades.data?.items ?? []).map((g) => [String(g.id), String(g.name)]))
  const list = useApi<Page<Row>>(routes.schoolActivities, { limit: 200 })
  const [editing, setEditing] = useState<Row | 'new' | null>(null)
  const [failure, setFailure] = useState<ApiError | null>(null)
  const reachText = (r: Row) => r.reach === 'grade' ? gradeNames.get(String(r.gradeId)) ?? label('reach', 'grade')
    : r.reach === 'class' ? classNames.get(String(r.classId)) ?? label('reach', 'class') : label('reach', r.reach)
  const current = editing !== null && editing !== 'new' ? editing : null

  async function remove(id: string) {
    try {
      await api(routes.schoolActivity(id), { method: 'DELETE' })
      list.reload()
    } catch (e) {
      setFailure(asApiError(e))
    }
  }

  return (
    <div className="xa-stack">
      <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing('new')} style={{ alignSelf: 'flex-start' }} data-testid="new-activity">{t('activities.new')}</Button>
      {failure && <WriteError error={failure} />}
      <Section loaded={list} empty={(p) => p.items.length === 0}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} scroll={{ x: 'max-content' }} data-testid="activities"
            pagination={p.items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            columns={[
              { key: 'startsOn', title: t('field.startsOn'), render: (_: unknown, r: Row) => `${formatDate(r.startsOn, locale)}${r.endsOn ? ` – ${formatDate(r.endsOn, locale)}` : ''}` },
              { key: 'kind', title: t('activities.kind'), render: (_: unknown, r: Row) => label('schoolActivityKind', r.kind) },
              { key: 'title', title: t('activities.title'), dataIndex: 'title' },
              { key: 'reach', title: t('field.reach'), render: (_: unknown, r: Row) => reachText(r) },
              { key: 'participants', title: t('field.participants'), dataIndex: 'participants', align: 'right' },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space>
                  <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => setEditing(r)}>{t('practices.edit')}</Button>
                  <Popconfirm title={t('activities.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(String(r.id))}>
                    <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                  </Popconfirm>
                </Space>
              ) },
            ]} />
        )}
      </Section>
      <FormDialog<ActivityValues> open={editing !== null} onClose={() => setEditing(null)} onDone={list.reload} testId="activity-dialog"
        title={current ? t('activities.edit') : t('activities.new')}
        initialValues={current ? {
          kind: String(current.kind), title: String(current.title), reach: String(current.reach), participants: Number(current.participants),
          dates: [dayjs(asText(current.startsOn)), typeof current.endsOn === 'string' ? dayjs(current.endsOn) : null],
          ...(typeof current.gradeId === 'string' ? { gradeId: current.gradeId } : {}), ...(typeof current.classId === 'string' ? { classId: current.classId } : {}),
        } : { kind: 'mental_health_day', reach: 'school', dates: [dayjs(), null] }}
        onSubmit={(v) => {
          const body = {
            ...activityBody(v),
            reach: v.reach, gradeId: v.reach === 'grade' ? v.gradeId ?? null : null, classId: v.reach === 'class' ? v.classId ?? null : null, participants: v.participants,
          }
          return current ? api(routes.schoolActivity(String(current.id)), { method: 'PATCH', body }) : api(routes.schoolActivities, { method: 'POST', body })
        }}>
        <ActivityFields />
        <Form.Item name="reach" label={t('field.reach')} rules={required(t('field.reach'))}>
          <Select options={REACHES.map((r) => ({ value: r, label: label('reach', r) }))} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: ActivityValues, b: ActivityValues) => a.reach !== b.reach}>
          {({ getFieldValue }) => getFieldValue('reach') === 'grade'
            ? <Form.Item name="gradeId" label={t('field.gradeId')} rules={required(t('field.gradeId'))}>
              <Select options={[...gradeNames].map(([value, l]) => ({ value, label: l }))} />
            </Form.Item>
            : getFieldValue('reach') === 'class'
              ? <Form.Item name="classId" label={t('field.classId')} rules={required(t('field.classId'))}>
                <Select options={classOptions(classNames)} showSearch={{ optionFilterProp: 'label' }} />
              </Form.Item>
              : null}
        </Form.Item>
        <Form.Item name="participants" label={t('field.participants')} rules={required(t('field.participants'))}>
          <InputNumber min={0} max={100000} style={{ width: '100%' }} />
        </Form.Item>
      </FormDialog>
    </div>
  )
}

/** 课程与活动 for psychology teachers and the school admin: lessons held per class against the rules, the timetable entry, themed activities. */
export default function LessonsPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('lessons.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('lessons.help')}</Typography.Paragraph>
      <Card>
        <Tabs items={[
          { key: 'summary', label: t('lessons.tab.summary'), children: <SummaryTab /> },
          { key: 'timetable', label: t('lessons.tab.timetable'), children: <TimetableTab /> },
          { key: 'activities', label: t('lessons.tab.activities'), children: <ActivitiesTab /> },
        ]} />
      </Card>
    </div>
  )
}
