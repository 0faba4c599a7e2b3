import { useState, type ReactNode } from 'react'
import { Button, Card, Space, Typography } from 'antd'
import { EditOutlined, PlusOutlined, PrinterOutlined, SwapOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { pending, routes } from '../../api/routes'
import { Deadline, Fields, RiskTag, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { CrisisChecklistButton, PlanDialog, RiskDialog, SessionDialog, TransitionDialog } from './case-forms'
import {
  AcknowledgeButton, EndPairingDialog, institutionLabel, ParentContactDialog, PairingDialog, printable, REFERRAL_NEXT, ReferralDialog, ReferralStepDialog, userLabel,
} from './support-forms'

type Dialog = 'plan' | 'session' | 'risk' | 'transition' | 'pairing' | 'contact' | 'referral' | { endPairing: string } | { step: Row }

const byId = (page: Page<Row> | undefined, name: (r: Row) => string) => new Map((page?.items ?? []).map((r) => [String(r.id), name(r)]))

function CardTitle({ children }: { children: string }) {
  return <h2 className="xa-card-title">{children}</h2>
}

function AddButton({ label, onClick, disabled, icon }: { label: string; onClick: () => void; disabled?: boolean; icon?: ReactNode }) {
  return <Button size="small" icon={icon ?? <PlusOutlined aria-hidden />} onClick={onClick} disabled={disabled}>{label}</Button>
}

/**
 * 个案: the case with its plan, sessions, pairing, parent contacts, referrals and crisis
 * events, each as the API returns it, and the psychology teacher's writes on each. After a
 * write only the section it changed is read again.
 */
export default function CasePage() {
  const { id = '' } = useParams()
  const { t, label } = useI18n()
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const close = () => setDialog(null)
  const kase = useApi<Row>(routes.kase(id))
  const studentId = typeof kase.data?.studentId === 'string' ? kase.data.studentId : null
  const plan = useApi<Row>(routes.casePlan(id))
  const sessions = useApi<Page<Row>>(routes.caseSessions(id), { limit: 200 })
  const events = useApi<Page<Row>>(routes.caseEvents(id), { limit: 200 })
  const pairings = useApi<Page<Row>>(studentId ? routes.pairings : null, { studentId })
  const contacts = useApi<Page<Row>>(studentId ? pending.parentContacts : null, { studentId })
  const referrals = useApi<Page<Row>>(studentId ? pending.referrals : null, { studentId })
  const crises = useApi<Page<Row>>(studentId ? routes.crisisEvents : null, { studentId, limit: 100 })
  // Names for the ids in pairings and referrals, and the choices of the dialogs.
  const users = useApi<Page<Row>>(routes.users, { status: 'active', limit: 500 })
  const institutions = useApi<Page<Row>>(routes.institutions, { limit: 500 })
  // Guardians are a read of the student's record: only when a contact is being logged.
  const guardians = useApi<Page<Row>>(dialog === 'contact' && studentId ? routes.guardians(studentId) : null)
  const userNames = byId(users.data, userLabel)
  const institutionNames = byId(institutions.data, institutionLabel)
  // No plan yet answers 404: that is the empty state with "write the plan", not an error.
  const noPlan = plan.error?.status === 404 && plan.error.code === 'not_found'
  const planRow = noPlan ? undefined : plan.data

  return (
    <Section loaded={kase} route={`GET /api/v1${routes.kase(':id')}`}>
      {(c) => {
        const closed = c.state === 'closed'
        return (
          <div className="xa-stack">
            <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="case-title">
              {t('case.title')}：<StudentRef row={c} link={false} />
            </Typography.Title>
            <Space wrap>
              <RiskTag level={c.riskLevel} />
              <span data-testid="case-state" data-state={String(c.state ?? '')}>{t('case.state')}：{label('caseState', c.state)}</span>
              {studentId && <Link to={`/students/${studentId}`}>{t('case.archive')}</Link>}
            </Space>
            <Space wrap aria-label={t('caseForm.actions')}>
              <AddButton label={t('caseForm.changeRisk')} icon={<EditOutlined aria-hidden />} onClick={() => setDialog('risk')} disabled={closed} />
              <AddButton label={t('caseForm.transition')} icon={<SwapOutlined aria-hidden />} onClick={() => setDialog('transition')} />
            </Space>
            {closed && <Typography.Text type="secondary">{t('caseForm.closedHint')}</Typography.Text>}
            <Card><Fields record={c} enums={{ state: 'caseState' }} /></Card>

            <Card title={<CardTitle>{t('case.plan')}</CardTitle>} data-testid="case-plan"
              extra={<AddButton label={planRow ? t('caseForm.editPlan') : t('caseForm.writePlan')} icon={planRow ? <EditOutlined aria-hidden /> : undefined}
                onClick={() => setDialog('plan')} disabled={closed || (!planRow && !noPlan)} />}>
              {noPlan ? <Typography.Text type="secondary">{t('caseForm.noPlan')}</Typography.Text>
                : <Section loaded={plan} route={`GET /api/v1${routes.casePlan(':id')}`}>{(p) => <Fields record={p} />}</Section>}
            </Card>

            <Card title={<CardTitle>{t('case.sessions')}</CardTitle>} data-testid="case-sessions"
              extra={<AddButton label={t('caseForm.addSession')} onClick={() => setDialog('session')} disabled={closed} />}>
              <Section loaded={sessions} route={`GET /api/v1${routes.caseSessions(':id')}`} empty={(p) => p.items.length === 0}>
                {(p) => <RecordTable rows={p.items} order={['sessionDate', 'kind', 'durationMin', 'reassessedRisk', 'reassessmentScore', 'notes']} enums={{ kind: 'sessionKind' }} />}
              </Section>
            </Card>

            <Card title={<CardTitle>{t('caseForm.crises')}</CardTitle>} data-testid="case-crises">
              <Section loaded={crises} route={`GET /api/v1${routes.crisisEvents}`} empty={(p) => p.items.length === 0}>
                {(p) => (
                  <RecordTable rows={p.items} order={['status', 'source', 'summary', 'openedAt', 'ackDeadline', 'acknowledgedAt', 'escalationLevel']}
                    enums={{ status: 'crisisStatus', source: 'crisisSource' }}
                    render={{ ackDeadline: (v, r) => (r.status === 'open' ? <Deadline at={v} /> : <span>—</span>) }}
                    extra={[{
                      key: 'ack', title: t('common.actions'),
                      render: (_: unknown, r: Row) => r.status === 'open'
                        ? <AcknowledgeButton path={routes.crisisAck(String(r.id))} what={t('psych.crisis')} onDone={crises.reload} />
                        : r.status === 'acknowledged' ? <CrisisChecklistButton id={String(r.id)} onDone={crises.reload} /> : null,
                    }]}
                  />
                )}
              </Section>
            </Card>

            <div className="xa-grid">
              <Card title={<CardTitle>{t('case.pairing')}</CardTitle>} data-testid="case-pairings"
                extra={<AddButton label={t('caseForm.newPairing')} onClick={() => setDialog('pairing')} disabled={!studentId} />}>
                <Section loaded={pairings} route={`GET /api/v1${routes.pairings}`} empty={(p) => p.items.length === 0}>
                  {(p) => (
                    <RecordTable rows={p.items} order={['mentorId', 'purpose', 'frequency', 'startDate', 'plannedEndDate', 'endedAt', 'endedReason']}
                      enums={{ frequency: 'frequency' }}
                      render={{ mentorId: (v) => <span>{userNames.get(String(v)) ?? '—'}</span> }}
                      extra={[{
                        key: 'end', title: t('common.actions'),
                        render: (_: unknown, r: Row) => r.endedAt ? null : <Button size="small" onClick={() => setDialog({ endPairing: String(r.id) })}>{t('caseForm.endPairing')}</Button>,
                      }]}
                    />
                  )}
                </Section>
              </Card>
              <Card title={<CardTitle>{t('case.parents')}</CardTitle>} data-testid="case-contacts"
                extra={<AddButton label={t('caseForm.logContact')} onClick={() => setDialog('contact')} disabled={!studentId} />}>
                <Section loaded={contacts} route={`GET /api/v1${pending.parentContacts}`} empty={(p) => p.items.length === 0}>
                  {(p) => <RecordTable rows={p.items} order={['contactDate', 'channel', 'content', 'outcome', 'referralConsent', 'notToldReason']} enums={{ channel: 'contactChannel', referralConsent: 'referralConsent' }} />}
                </Section>
              </Card>
            </div>

            <Card title={<CardTitle>{t('case.referrals')}</CardTitle>} data-testid="case-referrals"
              extra={<AddButton label={t('caseForm.newReferral')} onClick={() => setDialog('referral')} disabled={!studentId} />}>
              <Section loaded={referrals} route={`GET /api/v1${pending.referrals}`} empty={(p) => p.items.length === 0}>
                {(p) => (
                  <RecordTable rows={p.items} order={['institutionId', 'state', 'reason', 'proposedAt', 'sentAt', 'receivedOn', 'followUpDate', 'overdue']}
                    render={{
                      institutionId: (v) => <span>{institutionNames.get(String(v)) ?? '—'}</span>,
                      state: (v, r) => <span>{typeof r.stateLabel === 'string' ? r.stateLabel : label('referralState', v)}</span>,
                    }}
                    extra={[{
                      key: 'print', title: t('common.actions'),
                      render: (_: unknown, r: Row) => (
                        <Space wrap>
                          {printable(r.state)
                            ? <Link to={`/referrals/${String(r.id)}/print`}><PrinterOutlined aria-hidden /> {t('case.printReferral')}</Link>
                            : <Typography.Text type="secondary">{t('caseForm.printAfterConsent')}</Typography.Text>}
                          {(REFERRAL_NEXT[String(r.state)]?.length ?? 0) > 0 && (
                            <Button size="small" onClick={() => setDialog({ step: r })}>{t('caseForm.referralStep')}</Button>
                          )}
                        </Space>
                      ),
                    }]}
                  />
                )}
              </Section>
            </Card>

            <Card title={<CardTitle>{t('case.events')}</CardTitle>} data-testid="case-events">
              <Section loaded={events} route={`GET /api/v1${routes.caseEvents(':id')}`} empty={(p) => p.items.length === 0}>
                {(p) => <RecordTable rows={p.items} order={['at', 'fromState', 'toState', 'riskFrom', 'riskTo', 'reason']} enums={{ fromState: 'caseState', toState: 'caseState', riskFrom: 'risk', riskTo: 'risk' }} />}
              </Section>
            </Card>

            <PlanDialog open={dialog === 'plan'} onClose={close} onDone={plan.reload} caseId={id} plan={planRow} />
            <SessionDialog open={dialog === 'session'} onClose={close} onDone={() => { sessions.reload(); kase.reload(); events.reload() }} caseId={id} />
            <RiskDialog open={dialog === 'risk'} onClose={close} onDone={() => { kase.reload(); events.reload() }} kase={c} />
            <TransitionDialog open={dialog === 'transition'} onClose={close} onDone={() => { kase.reload(); events.reload() }} kase={c} />
            {studentId && (
              <>
                <PairingDialog open={dialog === 'pairing'} onClose={close} onDone={pairings.reload} studentId={studentId} users={users.data?.items ?? []} />
                <EndPairingDialog open={typeof dialog === 'object' && dialog !== null && 'endPairing' in dialog} onClose={close} onDone={pairings.reload}
                  pairingId={typeof dialog === 'object' && dialog !== null && 'endPairing' in dialog ? dialog.endPairing : ''} />
                {typeof dialog === 'object' && dialog !== null && 'step' in dialog && (
                  <ReferralStepDialog open onClose={close} onDone={referrals.reload} referral={dialog.step} contacts={contacts.data?.items ?? []} />
                )}
                <ParentContactDialog open={dialog === 'contact'} onClose={close} onDone={contacts.reload} studentId={studentId} caseId={id} guardians={guardians.data?.items ?? []} />
                <ReferralDialog open={dialog === 'referral'} onClose={close} onDone={referrals.reload} studentId={studentId} caseId={id}
                  institutions={institutions.data?.items ?? []} onInstitutionAdded={institutions.reload} />
              </>
            )}
          </div>
        )
      }}
    </Section>
  )
}
