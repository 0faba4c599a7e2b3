import { useState } from 'react'
import { Button, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Typography } from 'antd'
import { CheckSquareOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import type { MessageKey } from '../../i18n/messages'
import { api, ApiError } from '../../api/client'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { compact, FormDialog, isoDay, noFuture, useRequired, WriteError } from '../../components/forms'
import type { Row } from '../../components/records'
import { SafetyBlockers, type Safety } from './CrisisSafety'

/**
 * The psychology teacher's writes on the case itself: the intervention plan, a counselling
 * session, the risk level and the case's state. Each dialog sends only what the request
 * schema names; the server checks the policy's writable fields and the case's state.
 */

const RISKS = ['red', 'orange', 'yellow', 'green'] as const

/** Mirrors the server's state machine (src/modules/cases/states.ts) only to offer sensible choices; the server decides. */
const NEXT_STATES: Record<string, string[]> = {
  open: ['intervening', 'closed'],
  intervening: ['monitoring', 'closed'],
  monitoring: ['intervening', 'closed'],
  closed: ['open'],
}

interface DialogProps { open: boolean; onClose: () => void; onDone: () => void }

function useRiskOptions() {
  const { label } = useI18n()
  return RISKS.map((r) => ({ value: r, label: label('risk', r) }))
}

interface PlanValues { goals: string; measures: string; reviewDate: Dayjs }

/** 干预计划: written once per case (POST), then updated (PATCH /plans/:id). */
export function PlanDialog({ caseId, plan, ...p }: DialogProps & { caseId: string; plan: Row | undefined }) {
  const { t } = useI18n()
  const required = useRequired()
  const initial: Partial<PlanValues> = plan
    ? { goals: asText(plan.goals), measures: asText(plan.measures), reviewDate: plan.reviewDate ? dayjs(asText(plan.reviewDate)) : undefined }
    : { reviewDate: dayjs().add(30, 'day') }
  return (
    <FormDialog<PlanValues> {...p} testId="plan-dialog" title={plan ? t('caseForm.editPlan') : t('caseForm.writePlan')} initialValues={initial} width={640}
      onSubmit={(v) => {
        const body = { goals: v.goals.trim(), measures: v.measures.trim(), reviewDate: isoDay(v.reviewDate) }
        return plan?.id
          ? api(routes.plan(asText(plan.id)), { method: 'PATCH', body })
          : api(routes.casePlan(caseId), { method: 'POST', body })
      }}>
      <Form.Item name="goals" label={t('field.goals')} rules={required(t('field.goals'))}>
        <Input.TextArea rows={3} maxLength={4000} showCount />
      </Form.Item>
      <Form.Item name="measures" label={t('field.measures')} rules={required(t('field.measures'))}>
        <Input.TextArea rows={4} maxLength={4000} showCount />
      </Form.Item>
      <Form.Item name="reviewDate" label={t('field.reviewDate')} rules={required(t('field.reviewDate'))}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
    </FormDialog>
  )
}

interface SessionValues { kind: string; sessionDate: Dayjs; durationMin: number; notes?: string; reassessedRisk?: string; reassessmentScore?: number }

/** 辅导记录: an individual or group session with an optional re-assessment. */
export function SessionDialog({ caseId, ...p }: DialogProps & { caseId: string }) {
  const { t } = useI18n()
  const required = useRequired()
  const risks = useRiskOptions()
  return (
    <FormDialog<SessionValues> {...p} testId="session-dialog" title={t('caseForm.addSession')} width={640}
      initialValues={{ kind: 'individual', sessionDate: dayjs(), durationMin: 45 }}
      onSubmit={(v) => api(routes.caseSessions(caseId), {
        method: 'POST',
        body: { kind: v.kind, sessionDate: isoDay(v.sessionDate), durationMin: v.durationMin, ...compact({ notes: v.notes, reassessedRisk: v.reassessedRisk, reassessmentScore: v.reassessmentScore }) },
      })}>
      <Form.Item name="kind" label={t('field.kind')} rules={required(t('field.kind'))}>
        <Select options={['individual', 'group'].map((k) => ({ value: k, label: t(`sessionKind.${k}` as 'sessionKind.individual') }))} />
      </Form.Item>
      <Form.Item name="sessionDate" label={t('field.sessionDate')} rules={required(t('field.sessionDate'))}>
        <DatePicker style={{ width: '100%' }} disabledDate={noFuture} />
      </Form.Item>
      <Form.Item name="durationMin" label={t('field.durationMin')} rules={required(t('field.durationMin'))}>
        <InputNumber min={5} max={480} step={5} style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="notes" label={t('field.notes')} extra={t('caseForm.notesHelp')}>
        <Input.TextArea rows={4} maxLength={20000} />
      </Form.Item>
      <Form.Item name="reassessedRisk" label={t('field.reassessedRisk')}>
        <Select allowClear options={risks} />
      </Form.Item>
      <Form.Item name="reassessmentScore" label={t('field.reassessmentScore')}>
        <InputNumber min={0} max={1000} style={{ width: '100%' }} />
      </Form.Item>
    </FormDialog>
  )
}

interface RiskValues { riskLevel: string; reason: string }

/** 调整风险等级: a risk change always carries its reason (kept in the case's history). */
export function RiskDialog({ kase, ...p }: DialogProps & { kase: Row }) {
  const { t } = useI18n()
  const required = useRequired()
  const risks = useRiskOptions()
  return (
    <FormDialog<RiskValues> {...p} testId="risk-dialog" title={t('caseForm.changeRisk')} initialValues={{ riskLevel: asText(kase.riskLevel) || undefined }}
      onSubmit={(v) => api(routes.kase(String(kase.id)), { method: 'PATCH', body: { riskLevel: v.riskLevel, reason: v.reason.trim() } })}>
      <Form.Item name="riskLevel" label={t('field.riskLevel')} rules={required(t('field.riskLevel'))}>
        <Select options={risks} />
      </Form.Item>
      <Form.Item name="reason" label={t('field.reason')} rules={required(t('field.reason'))}>
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
    </FormDialog>
  )
}

interface TransitionValues { to: string; reason: string }

/** 个案状态变更: open → intervening → monitoring → closed (or reopen), always with a reason. */
export function TransitionDialog({ kase, ...p }: DialogProps & { kase: Row }) {
  const { t, label } = useI18n()
  const required = useRequired()
  const next = NEXT_STATES[String(kase.state)] ?? []
  return (
    <FormDialog<TransitionValues> {...p} testId="transition-dialog" title={t('caseForm.transition')} initialValues={{ to: next[0] }}
      onSubmit={(v) => api(routes.caseTransition(String(kase.id)), { method: 'POST', body: { to: v.to, reason: v.reason.trim() } })}>
      <Form.Item name="to" label={t('caseForm.toState')} rules={required(t('caseForm.toState'))}>
        <Select options={next.map((s) => ({ value: s, label: label('caseState', s) }))} />
      </Form.Item>
      <Form.Item name="reason" label={t('field.reason')} rules={required(t('field.reason'))} extra={t('caseForm.reasonHelp')}>
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
    </FormDialog>
  )
}

interface CrisisDetail { status: string; checklist?: Array<{ item: string; done: boolean; doneAt?: string }>; safety?: Safety }

/**
 * 危机处置清单 of an acknowledged crisis event: each first step is ticked once (the server
 * keeps who and when), and 处置完成 resolves the event once every step is done. A refusal
 * stays on screen with its code.
 */
function CrisisChecklistDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, locale } = useI18n()
  const crisis = useApi<CrisisDetail>(routes.crisisEvent(id))
  const [error, setError] = useState<ApiError>()
  const [busy, setBusy] = useState(false)
  async function run(write: () => Promise<unknown>, after?: () => void) {
    setBusy(true)
    setError(undefined)
    try {
      await write()
      crisis.reload()
      after?.()
    } catch (e) {
      if (e instanceof ApiError) setError(e)
      else throw e
    } finally {
      setBusy(false)
    }
  }
  const steps = crisis.data?.checklist ?? []
  const acknowledged = crisis.data?.status === 'acknowledged'
  const allDone = steps.length > 0 && steps.every((s) => s.done)
  return (
    <Modal open title={t('crisisChecklist.title')} onCancel={onClose} destroyOnHidden data-testid="crisis-checklist-dialog"
      footer={[
        <Button key="close" onClick={onClose}>{t('common.cancel')}</Button>,
        <Button key="resolve" type="primary" disabled={!acknowledged || !allDone} loading={busy} data-testid="crisis-resolve"
          onClick={() => void run(() => api(routes.crisisResolve(id), { method: 'POST', body: {} }), onClose)}>
          {t('crisisChecklist.resolve')}
        </Button>,
      ]}>
      <div className="xa-stack">
        {error && <WriteError error={error} />}
        <Section loaded={crisis}>
          {(c) => (
            <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={t('crisisChecklist.title')}>
              {(c.checklist ?? []).map((s) => (
                <li key={s.item} style={{ padding: '4px 0' }}>
                  <Checkbox checked={s.done} disabled={s.done || busy || c.status !== 'acknowledged'}
                    onChange={() => void run(() => api(routes.crisisChecklist(id), { method: 'POST', body: { item: s.item } }))}>
                    {t(`crisisStep.${s.item}` as MessageKey)}
                  </Checkbox>
                  {s.done && s.doneAt && <Typography.Text type="secondary">{t('crisisChecklist.doneAt', { at: formatDateTime(s.doneAt, locale) })}</Typography.Text>}
                </li>
              ))}
            </ul>
          )}
        </Section>
        {acknowledged && !allDone && <Typography.Text type="secondary">{t('crisisChecklist.hint')}</Typography.Text>}
        {acknowledged && crisis.data?.safety && <SafetyBlockers safety={crisis.data.safety} />}
      </div>
    </Modal>
  )
}

export function CrisisChecklistButton({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button size="small" icon={<CheckSquareOutlined aria-hidden />} onClick={() => setOpen(true)}>{t('crisisChecklist.title')}</Button>
      {open && <CrisisChecklistDialog id={id} onClose={() => { setOpen(false); onDone() }} />}
    </>
  )
}
