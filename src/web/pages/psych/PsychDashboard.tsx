import { Card, Space, Typography } from 'antd'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Deadline, RiskTag, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { AcknowledgeButton } from './support-forms'

const RISK_ORDER = ['red', 'orange', 'yellow', 'green']

interface Worklist {
  today: string
  myOpenCases?: { byRisk: Record<string, number>; items: Row[] }
  reviewsDue?: { until: string; items: Row[] }
  unacknowledgedCrises?: { items: Row[] }
}

/** 心理教师工作台: what needs an answer now (crises, alerts), then what is coming due. */
export default function PsychDashboard() {
  const { t } = useI18n()
  const worklist = useApi<Worklist>(routes.worklist)
  const alerts = useApi<Page<Row>>(routes.alerts, { status: 'received', sort: 'deadline', limit: 100 })
  const referrals = useApi<Page<Row>>(routes.referrals, { limit: 200 })

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('psych.title')}</Typography.Title>

      <Card title={<h2 className="xa-card-title">{t('psych.crisis')}</h2>} data-testid="crisis-inbox">
        <Section loaded={worklist}>
          {(w) => {
            const items = w.unacknowledgedCrises?.items ?? []
            return items.length === 0 ? <Typography.Text type="secondary">{t('psych.noCrisis')}</Typography.Text> : (
              <RecordTable rows={items} order={['studentId', 'source', 'summary', 'openedAt', 'ackDeadline', 'escalationLevel']}
                enums={{ source: 'crisisSource' }}
                render={{ studentId: (_v, r) => <StudentRef row={r} />, ackDeadline: (v) => <Deadline at={v} /> }}
                extra={[{ key: 'ack', title: t('common.actions'), render: (_: unknown, r: Row) => <AcknowledgeButton path={routes.crisisAck(String(r.id))} what={t('psych.crisis')} onDone={worklist.reload} /> }]}
              />
            )
          }}
        </Section>
      </Card>

      <Card title={<h2 className="xa-card-title">{t('psych.alerts')}</h2>} data-testid="alert-inbox">
        <Section loaded={alerts}>
          {(page) => page.items.length === 0 ? <Typography.Text type="secondary">{t('psych.noAlerts')}</Typography.Text> : (
            <RecordTable rows={page.items} order={['studentId', 'whatSeen', 'urgency', 'status', 'createdAt', 'ackDeadline']}
              enums={{ status: 'monitor.status', urgency: 'monitor.urgency' }}
              render={{ studentId: (_v, r) => <StudentRef row={r} />, ackDeadline: (v) => <Deadline at={v} />, status: (v, r) => String(r.statusLabel ?? v) }}
              extra={[{ key: 'ack', title: t('common.actions'), render: (_: unknown, r: Row) => r.status === 'received' ? <AcknowledgeButton path={routes.alertAck(String(r.id))} what={asText(r.whatSeen)} onDone={alerts.reload} /> : null }]}
            />
          )}
        </Section>
      </Card>

      <div className="xa-grid">
        <Card title={<h2 className="xa-card-title">{t('psych.casesByRisk')}</h2>} data-testid="cases-by-risk">
          <Section loaded={worklist}>
            {(w) => (
              <div className="xa-stack">
                <Space wrap size="large">
                  {RISK_ORDER.map((r) => (
                    <span key={r} data-risk-count={r}><RiskTag level={r} /> <strong>{w.myOpenCases?.byRisk[r] ?? 0}</strong></span>
                  ))}
                </Space>
                <RecordTable rows={w.myOpenCases?.items ?? []}
                  order={['studentId', 'riskLevel', 'state', 'openedAt']}
                  enums={{ state: 'caseState' }}
                  render={{ studentId: (_v, r) => <StudentRef row={r} /> }}
                  extra={[{ key: 'open', title: t('common.actions'), render: (_: unknown, r: Row) => <Link to={`/cases/${String(r.id)}`}>{t('psych.openCase')}</Link> }]}
                />
              </div>
            )}
          </Section>
        </Card>
        <Card title={<h2 className="xa-card-title">{t('psych.reviewsDue')}</h2>} data-testid="reviews-due">
          <Section loaded={worklist} empty={(w) => (w.reviewsDue?.items.length ?? 0) === 0}>
            {(w) => (
              <RecordTable rows={w.reviewsDue?.items ?? []} order={['studentId', 'reviewDate', 'goals']}
                render={{ studentId: (_v, r) => <StudentRef row={r} /> }}
                extra={[{ key: 'open', title: t('common.actions'), render: (_: unknown, r: Row) => r.caseId ? <Link to={`/cases/${asText(r.caseId)}`}>{t('psych.openCase')}</Link> : null }]}
              />
            )}
          </Section>
        </Card>
        <Card title={<h2 className="xa-card-title">{t('psych.referralsDue')}</h2>} data-testid="referrals-due">
          <Section loaded={referrals} empty={(p) => p.items.filter((r) => r.state !== 'closed').length === 0}>
            {(page) => (
              <RecordTable rows={page.items.filter((r) => r.state !== 'closed')} order={['studentId', 'state', 'followUpDate', 'overdue']}
                enums={{ state: 'referralState' }}
                render={{ studentId: (_v, r) => <StudentRef row={r} /> }}
                extra={[{ key: 'print', title: t('common.actions'), render: (_: unknown, r: Row) => <Link to={`/referrals/${String(r.id)}/print`}>{t('case.printReferral')}</Link> }]}
              />
            )}
          </Section>
        </Card>
      </div>
    </div>
  )
}
