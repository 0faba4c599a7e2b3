import { Card, Space, Typography } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { pending, routes } from '../../api/routes'
import { Fields, RiskTag, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'

/** 个案: the case with its plan, sessions, pairing, parent contacts and referrals, each as the API returns it. */
export default function CasePage() {
  const { id = '' } = useParams()
  const { t, label } = useI18n()
  const kase = useApi<Row>(routes.kase(id))
  const studentId = typeof kase.data?.studentId === 'string' ? kase.data.studentId : null
  const plan = useApi<Row>(routes.casePlan(id))
  const sessions = useApi<Page<Row>>(routes.caseSessions(id), { limit: 200 })
  const events = useApi<Page<Row>>(routes.caseEvents(id), { limit: 200 })
  const pairings = useApi<Page<Row>>(studentId ? routes.pairings : null, { studentId })
  const contacts = useApi<Page<Row>>(studentId ? pending.parentContacts : null, { studentId })
  const referrals = useApi<Page<Row>>(studentId ? pending.referrals : null, { studentId })

  return (
    <Section loaded={kase} route={`GET /api/v1${routes.kase(':id')}`}>
      {(c) => (
        <div className="xa-stack">
          <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="case-title">
            {t('case.title')}：<StudentRef row={c} link={false} />
          </Typography.Title>
          <Space wrap>
            <RiskTag level={c.riskLevel} />
            <span>{t('case.state')}：{label('caseState', c.state)}</span>
            {studentId && <Link to={`/students/${studentId}`}>{t('case.archive')}</Link>}
          </Space>
          <Card><Fields record={c} enums={{ state: 'caseState' }} /></Card>
          <Card title={<h2 className="xa-card-title">{t('case.plan')}</h2>}>
            <Section loaded={plan} route={`GET /api/v1${routes.casePlan(':id')}`}>{(p) => <Fields record={p} />}</Section>
          </Card>
          <Card title={<h2 className="xa-card-title">{t('case.sessions')}</h2>}>
            <Section loaded={sessions} route={`GET /api/v1${routes.caseSessions(':id')}`} empty={(p) => p.items.length === 0}>
              {(p) => <RecordTable rows={p.items} order={['sessionDate', 'kind', 'durationMin', 'reassessedRisk', 'reassessmentScore', 'notes']} enums={{ kind: 'sessionKind' }} />}
            </Section>
          </Card>
          <div className="xa-grid">
            <Card title={<h2 className="xa-card-title">{t('case.pairing')}</h2>}>
              <Section loaded={pairings} route={`GET /api/v1${routes.pairings}`} empty={(p) => p.items.length === 0}>
                {(p) => <RecordTable rows={p.items} order={['mentorName', 'purpose', 'frequency', 'startDate', 'plannedEndDate', 'endedAt']} />}
              </Section>
            </Card>
            <Card title={<h2 className="xa-card-title">{t('case.parents')}</h2>}>
              <Section loaded={contacts} route={`GET /api/v1${pending.parentContacts}`} empty={(p) => p.items.length === 0}>
                {(p) => <RecordTable rows={p.items} order={['contactDate', 'channel', 'content', 'outcome', 'referralConsent', 'notToldReason']} enums={{ channel: 'channel', referralConsent: 'consent' }} />}
              </Section>
            </Card>
          </div>
          <Card title={<h2 className="xa-card-title">{t('case.referrals')}</h2>}>
            <Section loaded={referrals} route={`GET /api/v1${pending.referrals}`} empty={(p) => p.items.length === 0}>
              {(p) => (
                <RecordTable rows={p.items} order={['institutionName', 'state', 'proposedAt', 'sentAt', 'receivedOn', 'followUpDate', 'overdue']}
                  enums={{ state: 'referralState' }}
                  extra={[{ key: 'print', title: t('common.actions'), render: (_: unknown, r: Row) => <Link to={`/referrals/${String(r.id)}/print`}><PrinterOutlined aria-hidden /> {t('case.printReferral')}</Link> }]}
                />
              )}
            </Section>
          </Card>
          <Card title={<h2 className="xa-card-title">{t('case.events')}</h2>}>
            <Section loaded={events} route={`GET /api/v1${routes.caseEvents(':id')}`} empty={(p) => p.items.length === 0}>
              {(p) => <RecordTable rows={p.items} order={['at', 'fromState', 'toState', 'riskFrom', 'riskTo', 'reason']} enums={{ fromState: 'caseState', toState: 'caseState', riskFrom: 'risk', riskTo: 'risk' }} />}
            </Section>
          </Card>
        </div>
      )}
    </Section>
  )
}
