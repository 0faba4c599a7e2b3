import { useState } from 'react'
import { App, Button, Card, Empty, List, Segmented, Space, Table, Tag, Typography } from 'antd'
import { EyeOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import dayjs from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { Popconfirm } from '../../components/forms'
import { WatchRequestDialog } from './support-forms'

const FILTERS = ['open', 'closed', 'all'] as const
const PAGE_SIZE = 20
const STATE_COLOURS: Record<string, string> = { open: 'blue', upcoming: 'default', expired: 'default', ended: 'default' }

/** The request's state in words, from its dates and whether it was ended (the same rule the monitor's list uses). */
function stateOf(r: Row): 'open' | 'upcoming' | 'expired' | 'ended' {
  if (r.endedAt) return 'ended'
  const today = dayjs().format('YYYY-MM-DD')
  if (typeof r.startDate === 'string' && r.startDate > today) return 'upcoming'
  if (typeof r.endDate === 'string' && r.endDate < today) return 'expired'
  return 'open'
}

/** What the monitor wrote (psychology teachers read them; the monitor cannot read them back). */
function Notes({ requestId }: { requestId: string }) {
  const { t, locale } = useI18n()
  const notes = useApi<{ items: Row[]; total: number }>(routes.peerWatchNotes(requestId))
  return (
    <Section loaded={notes}>
      {(n) => n.items.length === 0
        ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('psy.watch.noNotes')} />
        : (
          <List<Row> size="small" header={<strong>{t('psy.watch.notes')}</strong>} dataSource={n.items} data-testid="watch-notes"
            renderItem={(x) => <List.Item><List.Item.Meta title={formatDateTime(x.createdAt, locale)} description={<span style={{ whiteSpace: 'pre-wrap' }}>{asText(x.note)}</span>} /></List.Item>} />
        )}
    </Section>
  )
}

function EndButton({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [busy, setBusy] = useState(false)
  return (
    <Popconfirm title={t('psy.watch.endConfirm')} okText={t('psy.watch.end')} cancelText={t('common.cancel')}
      onConfirm={async () => {
        setBusy(true)
        try {
          await api(routes.peerWatchEnd(id), { method: 'POST', body: {} })
          message.success(t('psy.watch.ended'))
          onDone()
        } catch (e) {
          message.error(e instanceof ApiError ? e.message : String(e))
        } finally {
          setBusy(false)
        }
      }}>
      <Button size="small" loading={busy} data-testid="watch-end">{t('psy.watch.end')}</Button>
    </Popconfirm>
  )
}

/**
 * 同伴跟防: the school's requests to class psychology monitors, active or past, each with the
 * monitor's notes; a new request from here or from a student's archive (?student=…).
 */
export default function PeerWatchPage() {
  const { t, locale } = useI18n()
  const [params, setParams] = useSearchParams()
  const studentId = params.get('student') ?? undefined
  const student = useApi<Row>(studentId ? routes.student(studentId) : null)
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('open')
  const [offset, setOffset] = useState(0)
  const [creating, setCreating] = useState(params.get('new') === '1')
  const list = useApi<Page<Row>>(routes.peerWatch, { studentId, open: filter === 'all' ? undefined : filter === 'open' ? 'true' : 'false', limit: PAGE_SIZE, offset })
  const users = useApi<Page<Row>>(routes.users, { limit: 500 })
  const nameOf = (id: unknown) => asText(users.data?.items.find((u) => u.id === id)?.displayName, '—')
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('psy.watch.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('psy.watch.help')}</Typography.Paragraph>
      <Card>
        <Space wrap size="middle">
          <Segmented<(typeof FILTERS)[number]> value={filter} aria-label={t('psy.watch.state')} onChange={(v) => { setOffset(0); setFilter(v) }}
            options={FILTERS.map((f) => ({ value: f, label: t(`psy.watch.filter.${f}`) }))} data-testid="watch-filter" />
          {studentId && student.data && (
            <Tag closable onClose={() => { setOffset(0); setParams({}) }}>{t('psy.watch.forStudent', { name: asText(student.data.name) })}</Tag>
          )}
          <Button type="primary" icon={<EyeOutlined aria-hidden />} onClick={() => setCreating(true)} data-testid="watch-new">{t('psy.watch.new')}</Button>
        </Space>
      </Card>
      <Section loaded={list}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="watch-requests" scroll={{ x: 'max-content' }}
            expandable={{ expandedRowRender: (r) => <Notes requestId={String(r.id)} /> }}
            pagination={{ current: Math.floor(offset / PAGE_SIZE) + 1, pageSize: PAGE_SIZE, total: p.total, showSizeChanger: false,
              showTotal: (n) => t('common.total', { n }), onChange: (page) => setOffset((page - 1) * PAGE_SIZE) }}
            columns={[
              { key: 'student', title: t('psy.watch.student'), render: (_: unknown, r: Row) => <StudentRef row={r} /> },
              { key: 'monitor', title: t('psy.watch.monitor'), render: (_: unknown, r: Row) => nameOf(r.monitorId) },
              { key: 'ask', title: t('psy.watch.ask'), render: (_: unknown, r: Row) => <span style={{ whiteSpace: 'pre-wrap' }}>{asText(r.ask)}</span> },
              { key: 'startDate', title: t('psy.watch.startDate'), render: (_: unknown, r: Row) => formatDateTime(r.startDate, locale) },
              { key: 'endDate', title: t('field.endDate'), render: (_: unknown, r: Row) => formatDateTime(r.endDate, locale) },
              { key: 'state', title: t('psy.watch.state'), render: (_: unknown, r: Row) => { const s = stateOf(r); return <Tag color={STATE_COLOURS[s]} data-state={s}>{t(`psy.watch.state.${s}`)}</Tag> } },
              { key: 'requestedBy', title: t('psy.watch.requestedBy'), render: (_: unknown, r: Row) => nameOf(r.requestedBy) },
              { key: 'endedAt', title: t('psy.watch.endedAt'), render: (_: unknown, r: Row) => formatDateTime(r.endedAt, locale) },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space size={4}>
                  {!r.endedAt && <EndButton id={String(r.id)} onDone={list.reload} />}
                  <Link to={`/students/${String(r.studentId)}`}>{t('psy.record.toStudent')}</Link>
                </Space>
              ) },
            ]} />
        )}
      </Section>
      {creating && (studentId === undefined || student.data) && (
        <WatchRequestDialog open student={student.data ?? undefined} onClose={() => setCreating(false)} onDone={() => { setFilter('open'); list.reload() }} />
      )}
    </div>
  )
}
