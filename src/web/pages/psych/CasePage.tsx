import { useState, type ReactNode } from 'react'
import { SupportTeamCard } from './SupportTeamCard'
import { Button, Card, Empty, Space, Typography } from 'antd'
import { EditOutlined, PlusOutlined, PrinterOutlined, SwapOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Deadline, Fields, RiskTag, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { CrisisChecklistButton, PlanDialog, RiskDialog, SessionDialog, TransitionDialog } from './case-forms'
import SafetyPlanSection from './SafetyPlanSection'
import {
  AcknowledgeButton, EndPairingDialog, ParentContactDialog, PairingDialog, printable, REFERRAL_NEXT, ReferralDialog, ReferralStepDialog,
} from './support-forms'

type Dialog = 'plan' | 'session' | 'risk' | 'transition' | 'pairing' | 'contact' | 'referral' | { endPairing: string } | { step: Row }

interface Part { items: Row[]; total: number }

/** GET /cases/:id/page: each part as its own route gives it; a part the caller may not read is absent. */
interface CasePageData {
  case: Row
  plan?: Row | null
  sessions?: Part
  events?: Part
  crisisEvents?: Part
  pairings?: Part
  parentContacts?: Part
  referrals?: Part
  names: { users: Record<string, string>; institutions: Record<string, string> }
}

function CardTitle({ children }: { children: string }) {
  return <h2 className="xa-card-title">{children}</h2>
}

function AddButton({ label, onClick, disabled, icon }: { label: string; onClick: () => void; disabled?: boolean; icon?: ReactNode }) {
  return <Button size="small" icon={icon ?? <PlusOutlined aria-hidden />} onClick={onClick} disabled={disabled}>{label}</Button>
}

/** One list part of the page: its rows, or the empty state. */
function PartRows({ part, children }: { part: Part; children: (rows: Row[]) => ReactNode }) {
  const { t } = useI18n()
  if (part.items.length === 0) return <Empty description={t('common.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
  return <>{children(part.items)}</>
}

/**
 * 个案: the case with its plan, sessions, pairing, parent contacts, referrals and crisis
 * events in one request (one audited read), and the psychology teacher's writes on each.
 * Writes keep their own routes; after one the page is read again. The staff and institution
 * lists are read only when a dialog that chooses from them is open.
 */
export default function CasePage() {
  const { id = '' } = useParams()
  const { t, label } = useI18n()
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const close = () => setDialog(null)
  const page = useApi<CasePageData>(routes.casePage(id))
  const reload = page.reload
  const studentId = typeof page.data?.case.studentId === 'string' ? page.data.case.studentId : null
  const users = useApi<Page<Row>>(dialog === 'pairing' ? routes.users : null, { status: 'active', limit: 500 })
  const institutions = useApi<Page<Row>>(dialog === 'referral' ? routes.institutions : null, { limit: 500 })
  // Guardians are a read of the student's record: only when a contact is being logged.
  const guardians = useApi<Page<Row>>(dialog === 'contact' && studentId ? routes.guardians(studentId) : null)

  return (
    <Section loaded={page}>
      {(p) => {
        const c = p.case
        const closed = c.state === 'closed'
        // No plan yet is null: the empty state with "write the plan".
        const planRow = p.plan ?? undefined
        const userName = (v: unknown) => <span>{p.names.users[String(v)] ?? '—'}</span>
        return (
          <div className="xa-stack">
            <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="case-title">
              {t('case.title')}：<StudentRef row={c} link={false} />
            </Typography.Title>
            <Space wrap>
              <RiskTag level={c.riskLevel} />
              <span data-testid="case-state" data-state={asText(c.state)}>{t('case.state')}：{label('caseState', c.state)}</span>
              {studentId && <Link to={`/students/${studentId}`}>{t('case.archive')}</Link>}
            </Space>
            <Space wrap aria-label={t('caseForm.actions')}>
              <AddButton label={t('caseForm.changeRisk')} icon={<EditOutlined aria-hidden />} onClick={() => setDialog('risk')} disabled={closed} />
              <AddButton label={t('caseForm.transition')} icon={<SwapOutlined aria-hidden />} onClick={() => setDialog('transition')} />
            </Space>
            {closed && <Typography.Text type="secondary">{t('caseForm.closedHint')}</Typography.Text>}
            <Card><Fields record={c} enums={{ state: 'caseState' }} /></Card>

            {p.plan !== undefined && (
              <Card title={<CardTitle>{t('case.plan')}</CardTitle>} data-testid="case-plan"
                extra={<AddButton label={planRow ? t('caseForm.editPlan') : t('caseForm.writePlan')} icon={planRow ? <EditOutlined aria-hidden /> : undefined}
                  onClick={() => setDialog('plan')} disabled={closed} />}>
                {planRow ? <Fields record={planRow} /> : <Typography.Text type="secondary">{t('caseForm.noPlan')}</Typography.Text>}
              </Card>
            )}

            {p.sessions && (
              <Card title={<CardTitle>{t('case.sessions')}</CardTitle>} data-testid="case-sessions"
                extra={<AddButton label={t('caseForm.addSession')} onClick={() => setDialog('session')} disabled={closed} />}>
                <PartRows part={p.sessions}>
                  {(rows) => <RecordTable rows={rows} order={['sessionDate', 'kind', 'durationMin', 'reassessedRisk', 'reassessmentScore', 'notes']} enums={{ kind: 'sessionKind' }} />}
                </PartRows>
              </Card>
            )}

            {p.crisisEvents && (
              <Card title={<CardTitle>{t('caseForm.crises')}</CardTitle>} data-testid="case-crises">
                <PartRows part={p.crisisEvents}>
                  {(rows) => (
                    <RecordTable rows={rows} order={['status', 'source', 'summary', 'openedAt', 'ackDeadline', 'acknowledgedAt', 'escalationLevel']}
                      enums={{ status: 'crisisStatus', source: 'crisisSource' }}
                      render={{ ackDeadline: (v, r) => (r.status === 'open' ? <Deadline at={v} /> : <span>—</span>) }}
                      extra={[{
                        key: 'ack', title: t('common.actions'),
                        render: (_: unknown, r: Row) => r.status === 'open'
                          ? <AcknowledgeButton path={routes.crisisAck(String(r.id))} what={t('psych.crisis')} onDone={reload} />
                          : r.status === 'acknowledged' ? <CrisisChecklistButton id={String(r.id)} onDone={reload} /> : null,
                      }]}
                    />
                  )}
                </PartRows>
              </Card>
            )}

            {/* 安全计划: its own routes; a reader of no plans gets 404 there and the section says so. */}
            {p.sessions && <SafetyPlanSection caseId={id} closed={closed} crises={p.crisisEvents?.items ?? []} />}

            <div className="xa-grid">
              {p.pairings && (
                <Card title={<CardTitle>{t('case.pairing')}</CardTitle>} data-testid="case-pairings"
                  extra={<AddButton label={t('caseForm.newPairing')} onClick={() => setDialog('pairing')} disabled={!studentId} />}>
                  <PartRows part={p.pairings}>
                    {(rows) => (
                      <RecordTable rows={rows.filter((r) => !r.teamId)} order={['mentorId', 'purpose', 'frequency', 'startDate', 'plannedEndDate', 'endedAt', 'endedReason']}
                        enums={{ frequency: 'frequency' }}
                        render={{ mentorId: userName }}
                        extra={[{
                          key: 'end', title: t('common.actions'),
                          render: (_: unknown, r: Row) => r.endedAt ? null : <Button size="small" onClick={() => setDialog({ endPairing: String(r.id) })}>{t('caseForm.endPairing')}</Button>,
                        }]}
                      />
                    )}
                  </PartRows>
                </Card>
              )}
              {p.parentContacts && (
                <Card title={<CardTitle>{t('case.parents')}</CardTitle>} data-testid="case-contacts"
                  extra={<AddButton label={t('caseForm.logContact')} onClick={() => setDialog('contact')} disabled={!studentId} />}>
                  <PartRows part={p.parentContacts}>
                    {(rows) => <RecordTable rows={rows} order={['contactDate', 'channel', 'content', 'outcome', 'referralConsent', 'notToldReason']} enums={{ channel: 'contactChannel', referralConsent: 'referralConsent' }} />}
                  </PartRows>
                </Card>
              )}
            </div>

            {/* 多帮一: members are pairings too, so the team card is where pairings are read. */}
            {p.pairings && studentId && <SupportTeamCard studentId={studentId} />}

            {p.referrals && (
              <Card title={<CardTitle>{t('case.referrals')}</CardTitle>} data-testid="case-referrals"
                extra={<AddButton label={t('caseForm.newReferral')} onClick={() => setDialog('referral')} disabled={!studentId} />}>
                <PartRows part={p.referrals}>
                  {(rows) => (
                    <RecordTable rows={rows} order={['institutionId', 'state', 'reason', 'proposedAt', 'sentAt', 'receivedOn', 'followUpDate', 'overdue']}
                      render={{
                        institutionId: (v) => <span>{p.names.institutions[String(v)] ?? '—'}</span>,
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
                </PartRows>
              </Card>
            )}

            {p.events && (
              <Card title={<CardTitle>{t('case.events')}</CardTitle>} data-testid="case-events">
                <PartRows part={p.events}>
                  {(rows) => <RecordTable rows={rows} order={['at', 'fromState', 'toState', 'riskFrom', 'riskTo', 'reason']} enums={{ fromState: 'caseState', toState: 'caseState', riskFrom: 'risk', riskTo: 'risk' }} />}
                </PartRows>
              </Card>
            )}

            <PlanDialog open={dialog === 'plan'} onClose={close} onDone={reload} caseId={id} plan={planRow} />
            <SessionDialog open={dialog === 'session'} onClose={close} onDone={reload} caseId={id} />
            <RiskDialog open={dialog === 'risk'} onClose={close} onDone={reload} kase={c} />
            <TransitionDialog open={dialog === 'transition'} onClose={close} onDone={reload} kase={c} />
            {studentId && (
              <>
                <PairingDialog open={dialog === 'pairing'} onClose={close} onDone={reload} studentId={studentId} users={users.data?.items ?? []} />
                <EndPairingDialog open={typeof dialog === 'object' && dialog !== null && 'endPairing' in dialog} onClose={close} onDone={reload}
                  pairingId={typeof dialog === 'object' && dialog !== null && 'endPairing' in dialog ? dialog.endPairing : ''} />
                {typeof dialog === 'object' && dialog !== null && 'step' in dialog && (
                  <ReferralStepDialog open onClose={close} onDone={reload} referral={dialog.step} contacts={p.parentContacts?.items ?? []} caseId={id} />
                )}
                <ParentContactDialog open={dialog === 'contact'} onClose={close} onDone={reload} studentId={studentId} caseId={id} guardians={guardians.data?.items ?? []} />
                <ReferralDialog open={dialog === 'referral'} onClose={close} onDone={reload} studentId={studentId} caseId={id}
                  institutions={institutions.data?.items ?? []} onInstitutionAdded={institutions.reload} />
              </>
            )}
          </div>
        )
      }}
    </Section>
  )
}
