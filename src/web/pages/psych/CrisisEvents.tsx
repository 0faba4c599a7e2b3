import { useState } from 'react'
import { Segmented, Space, Typography } from 'antd'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Deadline, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { CrisisChecklistButton } from './case-forms'
import { CrisisSafetyButton } from './CrisisSafety'
import { AcknowledgeButton } from './support-forms'

const STATUSES = ['all', 'open', 'acknowledged', 'resolved'] as const
const PAGE_SIZE = 20

/**
 * 危机事件: every crisis event of the school, open, acknowledged and resolved, with the
 * acknowledgement, the first-steps checklist, the brief suicide safety assessment and who was
 * told reachable from the event itself — also for an event that has no case.
 */
export default function CrisisEvents() {
  const { t } = useI18n()
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('all')
  const [offset, setOffset] = useState(0)
  const events = useApi<Page<Row>>(routes.crisisEvents, { limit: PAGE_SIZE, offset, ...(status === 'all' ? {} : { status }) })
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('crisisList.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('crisisList.help')}</Typography.Paragraph>
      <Segmented<(typeof STATUSES)[number]> value={status} aria-label={t('common.status')} data-testid="crisis-filter"
        onChange={(v) => { setOffset(0); setStatus(v) }}
        options={STATUSES.map((s) => ({ value: s, label: s === 'all' ? t('crisisList.all') : t(`crisisStatus.${s}`) }))} />
      <Section loaded={events} empty={(p) => p.items.length === 0}>
        {(p) => (
          <RecordTable data-testid="crisis-events" rows={p.items}
            order={['studentId', 'status', 'source', 'summary', 'openedAt', 'ackDeadline', 'acknowledgedAt', 'escalationLevel']}
            enums={{ status: 'crisisStatus', source: 'crisisSource' }}
            render={{
              studentId: (_v, r) => <StudentRef row={r} />,
              ackDeadline: (v, r) => (r.status === 'open' ? <Deadline at={v} /> : <span>—</span>),
            }}
            pagination={{ current: Math.floor(offset / PAGE_SIZE) + 1, pageSize: PAGE_SIZE, total: p.total, showSizeChanger: false,
              showTotal: (n) => t('common.total', { n }), onChange: (page) => setOffset((page - 1) * PAGE_SIZE) }}
            extra={[{
              key: 'actions', title: t('common.actions'),
              render: (_: unknown, r: Row) => (
                <Space wrap>
                  {r.status === 'open' && <AcknowledgeButton path={routes.crisisAck(String(r.id))} what={t('psych.crisis')} onDone={events.reload} />}
                  {r.status === 'acknowledged' && <CrisisChecklistButton id={String(r.id)} onDone={events.reload} />}
                  <CrisisSafetyButton id={String(r.id)} onDone={events.reload} />
                  {typeof r.caseId === 'string' && <Link to={`/cases/${r.caseId}`}>{t('crisisList.openCase')}</Link>}
                </Space>
              ),
            }]} />
        )}
      </Section>
    </div>
  )
}
