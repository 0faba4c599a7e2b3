import { Button, Card, Descriptions, Space, Typography } from 'antd'
import { Link, useParams } from 'react-router'
import type { ReactNode } from 'react'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { Deadline, formatDateTime, Section } from '../../components/common'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { CrisisChecklistButton } from './case-forms'
import { AcknowledgeButton } from './support-forms'

/**
 * One peer alert or one crisis event on its own page: where a notification about it leads.
 * The record as the caller's policy returns it, with the next step (acknowledge, the
 * first-steps checklist, the case) on the same page.
 */
export default function NotifiedRecord({ kind }: { kind: 'alert' | 'crisis' }) {
  const { id = '' } = useParams()
  const { t, locale, label } = useI18n()
  const record = useApi<Row>(kind === 'alert' ? routes.alert(id) : routes.crisisEvent(id))
  const when = (v: unknown) => formatDateTime(v, locale)
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{kind === 'alert' ? t('psy.record.alert') : t('psy.record.crisis')}</Typography.Title>
      <Section loaded={record}>
        {(r) => {
          const items: Array<[string, ReactNode]> = kind === 'alert'
            ? [
                [t('psy.record.student'), <StudentRef row={r} />],
                [t('psy.record.status'), asText(r.statusLabel, label('monitor.status', r.status))],
                [t('psy.record.urgency'), label('monitor.urgency', r.urgency)],
                [t('psy.record.whatSeen'), <span style={{ whiteSpace: 'pre-wrap' }}>{asText(r.whatSeen, '—')}</span>],
                [t('psy.record.createdAt'), when(r.createdAt)],
                [t('psy.record.deadline'), r.status === 'received' ? <Deadline at={r.ackDeadline} /> : when(r.ackDeadline)],
                [t('psy.record.acknowledgedAt'), when(r.acknowledgedAt)],
                [t('psy.record.escalatedAt'), when(r.escalatedAt)],
                [t('psy.record.handledNote'), asText(r.handledNote, '—')],
              ]
            : [
                [t('psy.record.student'), <StudentRef row={r} />],
                [t('psy.record.status'), label('crisisStatus', r.status)],
                [t('psy.record.source'), label('crisisSource', r.source)],
                [t('psy.record.summary'), <span style={{ whiteSpace: 'pre-wrap' }}>{asText(r.summary, '—')}</span>],
                [t('psy.record.openedAt'), when(r.openedAt)],
                [t('psy.record.deadline'), r.status === 'open' ? <Deadline at={r.ackDeadline} /> : when(r.ackDeadline)],
                [t('psy.record.acknowledgedAt'), when(r.acknowledgedAt)],
                [t('psy.record.escalatedAt'), when(r.escalatedAt)],
              ]
          return (
            <Card data-testid={`${kind}-record`}>
              <div className="xa-stack">
                <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2 }} items={items.map(([k, v], i) => ({ key: String(i), label: k, children: v }))} />
                <Space wrap>
                  {kind === 'alert' && r.status === 'received' && <AcknowledgeButton path={routes.alertAck(id)} what={asText(r.whatSeen)} onDone={record.reload} />}
                  {kind === 'crisis' && r.status === 'open' && <AcknowledgeButton path={routes.crisisAck(id)} what={t('psych.crisis')} onDone={record.reload} />}
                  {kind === 'crisis' && r.status === 'acknowledged' && <CrisisChecklistButton id={id} onDone={record.reload} />}
                  {typeof r.caseId === 'string' && <Link to={`/cases/${r.caseId}`}><Button>{t('psy.record.openCase')}</Button></Link>}
                  {typeof r.studentId === 'string' && <Link to={`/students/${r.studentId}`}><Button>{t('psy.record.toStudent')}</Button></Link>}
                  <Link to={kind === 'alert' ? '/psych' : '/crises'}><Button type="link">{kind === 'alert' ? t('psy.record.dashboard') : t('psy.record.allCrises')}</Button></Link>
                </Space>
              </div>
            </Card>
          )
        }}
      </Section>
    </div>
  )
}
