import { useEffect, useState } from 'react'
import { App, Button, Card, Checkbox, DatePicker, Empty, Form, Input, InputNumber, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import { api, ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDate, Section } from '../../components/common'
import { gradeName } from '../../i18n/format'
import { asApiError, DialogButton, FormDialog, isoDay, useRequired, WriteError, Popconfirm } from '../../components/forms'
import type { Row } from '../../components/records'
import RolloverPage from './RolloverPage'

const HOLIDAY_KINDS = ['spring_festival', 'national_day', 'labour_day', 'summer', 'winter', 'other'] as const
const DUTY_KINDS = ['semester', 'monthly', 'holiday_return'] as const

const items = (p: Page<Row> | undefined) => p?.items ?? []

function useRangeRules() {
  const { t } = useI18n()
  const required = useRequired()
  return [...required(t('settings.startDate')), {
    validator: (_: unknown, v: [Dayjs, Dayjs] | undefined) => (v && v[1].isBefore(v[0], 'day') ? Promise.reject(new Error(t('settings.endBeforeStart'))) : Promise.resolve()),
  }]
}

function GradesAndClasses() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const required = useRequired()
  const grades = useApi<Page<Row>>(routes.grades, { limit: 50 })
  const classes = useApi<Page<Row>>(routes.classes, { limit: 500 })
  const existing = new Set(items(grades.data).map((g) => Number(g.level)))
  const sorted = items(grades.data).slice().sort((a, b) => Number(a.level) - Number(b.level))

  async function remove(id: string) {
    try {
      await api(routes.klass(id), { method: 'DELETE' })
      message.success(t('common.saved'))
      classes.reload()
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e))
    }
  }

  return (
    <div className="xa-stack">
      <DialogButton label={t('settings.addGrade')} icon={<PlusOutlined aria-hidden />} type="primary" testId="add-grade">
        {(open, close) => (
          <FormDialog<{ level: number }> open={open} onClose={close} title={t('settings.addGrade')} testId="grade" onDone={() => grades.reload()}
            onSubmit={(v) => api(routes.grades, { method: 'POST', body: { level: v.level } })}>
            <Form.Item name="level" label={t('settings.grade')} htmlFor="grade-level" rules={required(t('settings.grade'))}>
              <Select id="grade-level" options={Array.from({ length: 12 }, (_, i) => i + 1).map((l) => ({ value: l, label: gradeName(l, 'zh-CN') /* the name the server gives it, in any language */, disabled: existing.has(l) }))} />
            </Form.Item>
          </FormDialog>
        )}
      </DialogButton>
      <Section loaded={grades} empty={(p) => p.items.length === 0}>
        {() => (
          <div className="xa-stack" data-testid="grades">
            {sorted.map((g) => {
              const mine = items(classes.data).filter((c) => c.gradeId === g.id).sort((a, b) => Number(a.seq) - Number(b.seq))
              const nextSeq = mine.reduce((m, c) => Math.max(m, Number(c.seq)), 0) + 1
              return (
                <Card key={String(g.id)} size="small" title={String(g.name)} data-testid={`grade-${String(g.level)}`}
                  extra={(
                    <DialogButton label={t('settings.addClass')} icon={<PlusOutlined aria-hidden />} testId={`add-class-${String(g.level)}`}>
                      {(open, close) => (
                        <FormDialog<{ seq: number; name?: string }> open={open} onClose={close} title={`${String(g.name)} · ${t('settings.addClass')}`} testId="class"
                          initialValues={{ seq: nextSeq }} onDone={() => classes.reload()}
                          onSubmit={(v) => api(routes.classes, { method: 'POST', body: { gradeId: g.id, seq: v.seq, ...(v.name?.trim() ? { name: v.name.trim() } : {}) } })}>
                          <Form.Item name="seq" label={t('settings.classSeq')} rules={required(t('settings.classSeq'))}>
                            <InputNumber min={1} max={99} />
                          </Form.Item>
                          <Form.Item name="name" label={t('settings.className')} extra={t('settings.classNameHelp')}>
                            <Input maxLength={40} />
                          </Form.Item>
                        </FormDialog>
                      )}
                    </DialogButton>
                  )}>
                  {mine.length === 0
                    ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common.empty')} />
                    : (
                      <Space wrap>
                        {mine.map((c) => (
                          <Tag key={String(c.id)} style={{ padding: '4px 8px', fontSize: 14 }}>
                            {String(c.name)}{' '}
                            <DialogButton label={t('settings.rename')} type="link">
                              {(open, close) => (
                                <FormDialog<{ name: string }> open={open} onClose={close} title={t('settings.rename')} testId="rename-class"
                                  initialValues={{ name: String(c.name) }} onDone={() => classes.reload()}
                                  onSubmit={(v) => api(routes.klass(String(c.id)), { method: 'PATCH', body: { name: v.name.trim() } })}>
                                  <Form.Item name="name" label={t('settings.className')} rules={required(t('settings.className'))}>
                                    <Input maxLength={40} />
                                  </Form.Item>
                                </FormDialog>
                              )}
                            </DialogButton>
                            <Popconfirm title={t('settings.deleteClassConfirm')} okText={t('settings.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(String(c.id))}>
                              <Button size="small" type="link" danger>{t('settings.delete')}</Button>
                            </Popconfirm>
                          </Tag>
                        ))}
                      </Space>
                    )}
                </Card>
              )
            })}
          </div>
        )}
      </Section>
      {grades.data?.items.length === 0 && <Typography.Text type="secondary">{t('settings.noGrades')}</Typography.Text>}
    </div>
  )
}

interface TermValues { schoolYear: string; semester: 1 | 2; range: [Dayjs, Dayjs] }
interface HolidayValues { name: string; kind: string; range: [Dayjs, Dayjs]; major: boolean }

function Calendar() {
  const { t, label, locale } = useI18n()
  const day = (v: unknown) => formatDate(v, locale)
  const { message } = App.useApp()
  const required = useRequired()
  const rangeRules = useRangeRules()
  const terms = useApi<Page<Row>>(routes.terms, { limit: 100 })
  const holidays = useApi<Page<Row>>(routes.holidays, { limit: 200 })

  async function remove(path: string, reload: () => void) {
    try {
      await api(path, { method: 'DELETE' })
      message.success(t('common.saved'))
      reload()
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e))
    }
  }
  const deleteButton = (path: string, reload: () => void) => (
    <Popconfirm title={t('settings.deleteConfirm')} okText={t('settings.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(path, reload)}>
      <Button size="small" danger>{t('settings.delete')}</Button>
    </Popconfirm>
  )
  const year = new Date().getFullYear()

  return (
    <div className="xa-stack">
      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('settings.terms')}</Typography.Title>
      <DialogButton label={t('settings.addTerm')} icon={<PlusOutlined aria-hidden />} type="primary" testId="add-term">
        {(open, close) => (
          <FormDialog<TermValues> open={open} onClose={close} title={t('settings.addTerm')} testId="term" onDone={() => terms.reload()}
            initialValues={{ schoolYear: `${year}-${year + 1}`, semester: 1 }}
            onSubmit={(v) => api(routes.terms, { method: 'POST', body: { schoolYear: v.schoolYear.trim(), semester: v.semester, startDate: isoDay(v.range[0]), endDate: isoDay(v.range[1]) } })}>
            <Form.Item name="schoolYear" label={t('settings.schoolYear')} extra={t('settings.schoolYearHelp')}
              rules={[...required(t('settings.schoolYear')), { pattern: /^\d{4}-\d{4}$/, message: t('settings.schoolYearInvalid') }]}>
              <Input maxLength={9} />
            </Form.Item>
            <Form.Item name="semester" label={t('settings.semester')} htmlFor="term-semester" rules={required(t('settings.semester'))}>
              <Select id="term-semester" options={[1, 2].map((n) => ({ value: n, label: t(`settings.semester.${n}` as MessageKey) }))} />
            </Form.Item>
            <Form.Item name="range" label={`${t('settings.startDate')} – ${t('settings.endDate')}`} rules={rangeRules}>
              <DatePicker.RangePicker />
            </Form.Item>
          </FormDialog>
        )}
      </DialogButton>
      <Section loaded={terms}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="terms"
            columns={[
              { key: 'name', title: t('settings.semester'), render: (_: unknown, r: Row) => `${String(r.schoolYear)} ${t(`settings.semester.${Number(r.semester) === 2 ? 2 : 1}` as MessageKey)}` },
              { key: 'start', title: t('settings.startDate'), render: (_: unknown, r: Row) => day(r.startDate) },
              { key: 'end', title: t('settings.endDate'), render: (_: unknown, r: Row) => day(r.endDate) },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => deleteButton(routes.term(String(r.id)), terms.reload) },
            ]} />
        )}
      </Section>

      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('settings.holidays')}</Typography.Title>
      <DialogButton label={t('settings.addHoliday')} icon={<PlusOutlined aria-hidden />} type="primary" testId="add-holiday">
        {(open, close) => (
          <FormDialog<HolidayValues> open={open} onClose={close} title={t('settings.addHoliday')} testId="holiday" onDone={() => holidays.reload()}
            initialValues={{ kind: 'other', major: false }}
            onSubmit={(v) => api(routes.holidays, { method: 'POST', body: { name: v.name.trim(), kind: v.kind, major: v.major, startDate: isoDay(v.range[0]), endDate: isoDay(v.range[1]) } })}>
            <Form.Item name="name" label={t('settings.holidayName')} rules={required(t('settings.holidayName'))}>
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item name="kind" label={t('settings.holidayKind')} htmlFor="holiday-kind">
              <Select id="holiday-kind" options={HOLIDAY_KINDS.map((k) => ({ value: k, label: t(`holidayKind.${k}`) }))} />
            </Form.Item>
            <Form.Item name="range" label={`${t('settings.startDate')} – ${t('settings.endDate')}`} rules={rangeRules}>
              <DatePicker.RangePicker />
            </Form.Item>
            <Form.Item name="major" valuePropName="checked" extra={t('settings.majorHelp')}>
              <Checkbox>{t('settings.major')}</Checkbox>
            </Form.Item>
          </FormDialog>
        )}
      </DialogButton>
      <Section loaded={holidays}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} pagination={false} data-testid="holidays"
            columns={[
              { key: 'name', title: t('settings.holidayName'), dataIndex: 'name' },
              { key: 'kind', title: t('settings.holidayKind'), render: (_: unknown, r: Row) => label('holidayKind', r.kind) },
              { key: 'start', title: t('settings.startDate'), render: (_: unknown, r: Row) => day(r.startDate) },
              { key: 'end', title: t('settings.endDate'), render: (_: unknown, r: Row) => day(r.endDate) },
              { key: 'major', title: t('settings.major'), render: (_: unknown, r: Row) => (r.major ? <Tag color="orange">{t('settings.major')}</Tag> : '—') },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => deleteButton(routes.holiday(String(r.id)), holidays.reload) },
            ]} />
        )}
      </Section>
    </div>
  )
}

interface RuleRow { kind: string; target: string; withinSchoolDays: number | null; active: boolean; isDefault: boolean }

function TalkRules() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const loaded = useApi<{ items: RuleRow[] }>(routes.talkRules)
  const [rules, setRules] = useState<RuleRow[]>([])
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    const got = loaded.data?.items ?? []
    setRules(DUTY_KINDS.map((k) => got.find((r) => r.kind === k)).filter((r): r is RuleRow => !!r).map((r) => ({ ...r, active: r.active ?? true, withinSchoolDays: r.withinSchoolDays ?? null })))
  }, [loaded.data])
  const change = (kind: string, patch: Partial<RuleRow>) => setRules((rs) => rs.map((r) => (r.kind === kind ? { ...r, ...patch } : r)))

  async function save() {
    setBusy(true)
    setError(null)
    try {
      await api(routes.talkRules, { method: 'PUT', body: { rules: rules.map((r) => ({ kind: r.kind, target: r.target, withinSchoolDays: r.kind === 'holiday_return' ? r.withinSchoolDays : null, active: r.active })) } })
      message.success(t('common.saved'))
      loaded.reload()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Paragraph type="secondary">{t('settings.rulesHelp')}</Typography.Paragraph>
      <Section loaded={loaded}>
        {() => (
          <Table<RuleRow> size="small" rowKey="kind" dataSource={rules} pagination={false} data-testid="talk-rules"
            columns={[
              { key: 'kind', title: t('settings.ruleKind'), render: (_: unknown, r) => <>{t(`talk.${r.kind}` as MessageKey)} {r.isDefault && <Tag>{t('settings.ruleDefault')}</Tag>}</> },
              { key: 'target', title: t('settings.ruleTarget'), render: (_: unknown, r) => (
                <Select aria-label={`${t(`talk.${r.kind}` as MessageKey)} ${t('settings.ruleTarget')}`} value={r.target} style={{ width: 180 }} onChange={(v: string) => change(r.kind, { target: v })}
                  options={(['all', 'care_list'] as const).map((v) => ({ value: v, label: t(`settings.target.${v}`) }))} />
              ) },
              // Only the back-from-holiday talk has a deadline in school days; the others run to the end of their window.
              { key: 'days', title: t('settings.ruleDays'), render: (_: unknown, r) => (r.kind !== 'holiday_return' ? t('settings.ruleDaysHelp') : (
                <InputNumber aria-label={`${t(`talk.${r.kind}` as MessageKey)} ${t('settings.ruleDays')}`} min={1} max={30} value={r.withinSchoolDays} placeholder={t('settings.ruleDaysHelp')} style={{ width: 180 }}
                  onChange={(v) => change(r.kind, { withinSchoolDays: typeof v === 'number' ? v : null })} />
              )) },
              { key: 'active', title: t('settings.ruleActive'), render: (_: unknown, r) => (
                <Switch aria-label={`${t(`talk.${r.kind}` as MessageKey)} ${t('settings.ruleActive')}`} checked={r.active} onChange={(v) => change(r.kind, { active: v })} />
              ) },
            ]} />
        )}
      </Section>
      {error && <WriteError error={error} />}
      <div><Button type="primary" onClick={() => void save()} loading={busy} data-testid="save-rules">{t('settings.saveRules')}</Button></div>
    </div>
  )
}

/** 学校设置 (school admin): grades and classes, the calendar that drives the talk duties, and the talk rules. */
export default function SchoolSettingsPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('settings.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('settings.help')}</Typography.Paragraph>
      <Tabs destroyOnHidden items={[
        { key: 'classes', label: t('settings.tab.classes'), children: <GradesAndClasses /> },
        { key: 'calendar', label: t('settings.tab.calendar'), children: <Calendar /> },
        { key: 'rules', label: t('settings.tab.rules'), children: <TalkRules /> },
        { key: 'rollover', label: t('settings.tab.rollover'), children: <RolloverPage /> },
      ]} />
    </div>
  )
}
