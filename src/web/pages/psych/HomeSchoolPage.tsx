import { useState } from 'react'
import { Button, Card, DatePicker, Select, Space, Table, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { isoDay } from '../../components/forms'
import { useClassNames, type Row } from '../../components/records'
import { ACTIVITY_KINDS, ActivityDialog } from './support-forms'
import { classOptions } from './student-class'

const PAGE_SIZE = 20

/**
 * 家校协同: the school's 家长学校, 家访 and 家长会 — a summary per kind and class for the
 * duty statistics, then the activities themselves, each editable.
 */
export default function HomeSchoolPage() {
  const { t, locale } = useI18n()
  const classNames = useClassNames()
  const [kind, setKind] = useState<string | undefined>()
  const [classId, setClassId] = useState<string | undefined>()
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const [offset, setOffset] = useState(0)
  const [dialog, setDialog] = useState<{ activity?: Row } | null>(null)
  const from = isoDay(range?.[0])
  const to = isoDay(range?.[1])
  const list = useApi<Page<Row>>(routes.activities, { kind, classId, from, to, limit: PAGE_SIZE, offset })
  const summary = useApi<{ items: Row[] }>(routes.activitySummary, { from, to })
  const className = (id: unknown) => (typeof id === 'string' ? classNames.get(id) ?? '—' : t('psy.act.wholeSchool'))
  const kindName = (k: unknown) => (ACTIVITY_KINDS.includes(k as (typeof ACTIVITY_KINDS)[number]) ? t(`psy.act.kind.${k as (typeof ACTIVITY_KINDS)[number]}`) : '—')
  const reload = () => { list.reload(); summary.reload() }
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('psy.act.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('psy.act.help')}</Typography.Paragraph>
      <Card>
        <Space wrap size="middle">
          <Select allowClear aria-label={t('psy.act.kind')} placeholder={t('psy.act.allKinds')} style={{ minWidth: 130 }} value={kind}
            onChange={(v) => { setOffset(0); setKind(v) }} options={ACTIVITY_KINDS.map((k) => ({ value: k, label: t(`psy.act.kind.${k}`) }))} data-testid="activity-kind-filter" />
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} aria-label={t('psy.act.class')} placeholder={t('psy.care.allClasses')} style={{ minWidth: 160 }} value={classId}
            onChange={(v) => { setOffset(0); setClassId(v) }} options={classOptions(classNames)} />
          <DatePicker.RangePicker aria-label={t('psy.act.date')} value={range} onChange={(v) => { setOffset(0); setRange(v) }}
            placeholder={[t('psy.act.from'), t('psy.act.to')]} />
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setDialog({})} data-testid="activity-new">{t('psy.act.new')}</Button>
        </Space>
      </Card>
      <Card title={<h2 className="xa-card-title">{t('psy.act.summary')}</h2>} data-testid="activity-summary">
        <Section loaded={summary} empty={(s) => s.items.length === 0}>
          {(s) => (
            <Table<Row> size="small" rowKey={(r) => `${String(r.kind)}-${String(r.classId)}`} dataSource={s.items} pagination={false}
              columns={[
                { key: 'kind', title: t('psy.act.kind'), render: (_: unknown, r: Row) => kindName(r.kind) },
                { key: 'class', title: t('psy.act.class'), render: (_: unknown, r: Row) => className(r.classId) },
                { key: 'activities', title: t('psy.act.activities'), dataIndex: 'activities' },
                { key: 'attendance', title: t('psy.act.totalAttendance'), dataIndex: 'attendance' },
              ]} />
          )}
        </Section>
      </Card>
      <Card title={<h2 className="xa-card-title">{t('psy.act.list')}</h2>}>
        <Section loaded={list} empty={(p) => p.items.length === 0}>
          {(p) => (
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="activities" scroll={{ x: 'max-content' }}
              pagination={{ current: Math.floor(offset / PAGE_SIZE) + 1, pageSize: PAGE_SIZE, total: p.total, showSizeChanger: false,
                showTotal: (n) => t('common.total', { n }), onChange: (page) => setOffset((page - 1) * PAGE_SIZE) }}
              columns={[
                { key: 'date', title: t('psy.act.date'), render: (_: unknown, r: Row) => formatDateTime(r.activityDate, locale) },
                { key: 'kind', title: t('psy.act.kind'), render: (_: unknown, r: Row) => kindName(r.kind) },
                { key: 'title', title: t('psy.act.activityTitle'), render: (_: unknown, r: Row) => asText(r.title) },
                { key: 'class', title: t('psy.act.class'), render: (_: unknown, r: Row) => className(r.classId) },
                { key: 'attendance', title: t('psy.act.attendance'), dataIndex: 'attendance' },
                { key: 'createdAt', title: t('psy.act.createdAt'), render: (_: unknown, r: Row) => formatDateTime(r.createdAt, locale) },
                { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => <Button size="small" onClick={() => setDialog({ activity: r })} data-testid="activity-edit">{t('psy.care.edit')}</Button> },
              ]} />
          )}
        </Section>
      </Card>
      {dialog && <ActivityDialog open activity={dialog.activity} classes={classNames} onClose={() => setDialog(null)} onDone={reload} />}
    </div>
  )
}
