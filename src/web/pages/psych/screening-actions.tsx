import { useState } from 'react'
import { App, Button, Form, Input, Select, Space } from 'antd'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { api, ApiError } from '../../api/client'
import { routes } from '../../api/routes'
import { compact, FormDialog, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'
import { OpenCaseDialog } from './OpenCaseDialog'

const RISKS = ['red', 'orange', 'yellow', 'green'] as const
const riskOf = (r: Row) => asText(r.confirmedRisk ?? r.suggestedRisk, 'green')

/** 确认风险等级: the suggestion as it is, or changed with a reason (the server insists on one). */
function ConfirmDialog({ response, open, onClose, onDone }: { response: Row; open: boolean; onClose: () => void; onDone: () => void }) {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<{ confirmedRisk: string; confirmReason?: string }> open={open} onClose={onClose} onDone={onDone} testId="confirm-risk" title={t('screen.confirm')}
      initialValues={{ confirmedRisk: riskOf(response) }}
      onSubmit={(v) => api(routes.response(String(response.id)), { method: 'PATCH', body: { confirmedRisk: v.confirmedRisk, ...compact({ confirmReason: v.confirmReason }) } })}>
      <Form.Item label={t('screen.suggested')}>{label('risk', response.suggestedRisk)}</Form.Item>
      <Form.Item name="confirmedRisk" label={t('screen.confirmedRisk')} htmlFor="confirm-risk-level" rules={required(t('screen.confirmedRisk'))}>
        <Select id="confirm-risk-level" options={RISKS.map((r) => ({ value: r, label: label('risk', r) }))} />
      </Form.Item>
      <Form.Item name="confirmReason" label={t('screen.reason')} extra={t('screen.reasonHelp')} dependencies={['confirmedRisk']}
        rules={[({ getFieldValue }) => ({
          validator: (_: unknown, v: string | undefined) => (getFieldValue('confirmedRisk') !== response.suggestedRisk && !v?.trim()
            ? Promise.reject(new Error(t('screen.reasonRequired'))) : Promise.resolve()),
        })]}>
        <Input.TextArea rows={3} maxLength={1000} />
      </Form.Item>
    </FormDialog>
  )
}

/** 加入关注名单: the risk and what the homeroom teacher and mentors should do (no clinical detail). */
function CareDialog({ response, open, onClose, onDone }: { response: Row; open: boolean; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  return (
    <FormDialog<{ riskLevel: string; reason?: string; guidance?: string }> open={open} onClose={onClose} onDone={onDone} testId="care-add" title={t('screen.addCare')}
      initialValues={{ riskLevel: riskOf(response) }}
      onSubmit={(v) => api(routes.studentCareList(String(response.studentId)), { method: 'POST', body: { riskLevel: v.riskLevel, sourceResponseId: response.id, ...compact({ reason: v.reason, guidance: v.guidance }) } })}>
      <CareFields riskId="care-risk" riskLabel={t('screen.confirmedRisk')} />
    </FormDialog>
  )
}

/** The three steps after a screening result, for one student. */
export function ResponseActions({ response, onDone }: { response: Row; onDone: () => void }) {
  const { t } = useI18n()
  const [open, setOpen] = useState<'confirm' | 'care' | 'case' | null>(null)
  const close = () => setOpen(null)
  return (
    <Space size={4} wrap>
      <Button size="small" onClick={() => setOpen('confirm')} data-testid="confirm-risk">{response.confirmedRisk ? t('screen.reconfirm') : t('screen.confirm')}</Button>
      <Button size="small" onClick={() => setOpen('care')} data-testid="add-care">{t('screen.addCare')}</Button>
      <Button size="small" onClick={() => setOpen('case')} data-testid="open-case">{t('screen.openCase')}</Button>
      {open === 'confirm' && <ConfirmDialog response={response} open onClose={close} onDone={onDone} />}
      {open === 'care' && <CareDialog response={response} open onClose={close} onDone={onDone} />}
      {open === 'case' && <OpenCaseDialog studentId={String(response.studentId)} open onClose={close}
        initial={{ source: 'screening', sourceRef: String(response.id), riskLevel: riskOf(response) }} />}
    </Space>
  )
}

/**
 * 批量确认为某一等级: one level for every selected result, with the reason the server asks for
 * wherever it differs from that result's suggestion (the same rule as one by one).
 */
function BulkLevelDialog({ selected, onClose, onSubmit }: { selected: Row[]; onClose: () => void; onSubmit: (level: string, reason?: string) => Promise<void> }) {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<{ confirmedRisk: string; confirmReason?: string }> open onClose={onClose} testId="bulk-level" title={t('psy.bulk.levelTitle', { n: selected.length })}
      submitText={t('common.submit')}
      onSubmit={(v) => onSubmit(v.confirmedRisk, v.confirmReason?.trim() || undefined)}>
      <Form.Item name="confirmedRisk" label={t('screen.confirmedRisk')} htmlFor="bulk-level-risk" rules={required(t('screen.confirmedRisk'))}>
        <Select id="bulk-level-risk" options={RISKS.map((r) => ({ value: r, label: label('risk', r) }))} />
      </Form.Item>
      <Form.Item name="confirmReason" label={t('screen.reason')} extra={t('psy.bulk.levelReasonHelp')} dependencies={['confirmedRisk']}
        rules={[({ getFieldValue }) => ({
          validator: (_: unknown, v: string | undefined) => (selected.some((r) => r.suggestedRisk !== getFieldValue('confirmedRisk')) && !v?.trim()
            ? Promise.reject(new Error(t('screen.reasonRequired'))) : Promise.resolve()),
        })]}>
        <Input.TextArea rows={3} maxLength={1000} />
      </Form.Item>
    </FormDialog>
  )
}

/**
 * For a selection of results: confirm each as suggested, put each on the care list at its
 * risk, or open a case for each naming its screening (asked once first: cases are not undone
 * with a click). Sent one student at a time; what the server refused is listed in its own words.
 */
export function BulkActions({ selected, onDone }: { selected: Row[]; onDone: () => void }) {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const [busy, setBusy] = useState(false)
  async function run(each: (r: Row) => Promise<unknown>) {
    setBusy(true)
    const failed: string[] = []
    for (const r of selected) {
      try {
        await each(r)
      } catch (e) {
        failed.push(e instanceof ApiError ? e.message : String(e))
      }
    }
    setBusy(false)
    onDone()
    if (failed.length === 0) void message.success(t('screen.bulkDone', { n: selected.length }))
    else modal.warning({ title: t('screen.bulkPartly', { ok: selected.length - failed.length, failed: failed.length }), content: [...new Set(failed)].join('；') })
  }
  const ask = (text: string, each: (r: Row) => Promise<unknown>) => modal.confirm({
    title: text, okText: t('common.submit'), cancelText: t('common.cancel'), onOk: () => { void run(each) },
  })
  const n = selected.length
  const [levelOpen, setLevelOpen] = useState(false)
  return (
    <Space wrap data-testid="bulk-actions">
      <Button disabled={n === 0} loading={busy} data-testid="bulk-level" onClick={() => setLevelOpen(true)}>{t('psy.bulk.level', { n })}</Button>
      {levelOpen && <BulkLevelDialog selected={selected} onClose={() => setLevelOpen(false)}
        onSubmit={async (level, reason) => {
          await run((r) => api(routes.response(String(r.id)), {
            method: 'PATCH', body: { confirmedRisk: level, ...(level !== r.suggestedRisk && reason ? { confirmReason: reason } : {}) },
          }))
        }} />}
      <Button disabled={n === 0} loading={busy} data-testid="bulk-confirm"
        onClick={() => void run((r) => api(routes.response(String(r.id)), { method: 'PATCH', body: { confirmedRisk: r.suggestedRisk } }))}>
        {t('screen.bulkConfirm', { n })}
      </Button>
      <Button disabled={n === 0} loading={busy} data-testid="bulk-care"
        onClick={() => void run((r) => api(routes.studentCareList(String(r.studentId)), { method: 'POST', body: { riskLevel: riskOf(r), sourceResponseId: r.id } }))}>
        {t('screen.bulkCare', { n })}
      </Button>
      <Button disabled={n === 0} loading={busy} data-testid="bulk-case"
        onClick={() => {
          ask(t('psy.bulk.openCasesConfirm', { n }), (r) => api(routes.studentCases(String(r.studentId)), {
            method: 'POST', body: { source: 'screening', sourceRef: String(r.id), riskLevel: riskOf(r) },
          }))
        }}>
        {t('psy.bulk.openCases', { n })}
      </Button>
      {n === 0 && <span className="xa-muted" style={{ color: 'rgba(0,0,0,0.55)' }}>{t('psy.bulk.selectHelp')}</span>}
    </Space>
  )
}

/** A care-list entry's fields: its risk level, the reason (psychology teachers only) and the guidance for the class's teachers. */
export function CareFields({ riskId, riskLabel }: { riskId: string; riskLabel: string }) {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <>
      <Form.Item name="riskLevel" label={riskLabel} htmlFor={riskId} rules={required(riskLabel)}>
        <Select id={riskId} options={RISKS.map((r) => ({ value: r, label: label('risk', r) }))} />
      </Form.Item>
      <Form.Item name="reason" label={t('screen.careReason')} extra={t('screen.careReasonHelp')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Form.Item name="guidance" label={t('screen.careGuidance')} extra={t('screen.careGuidanceHelp')}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </>
  )
}
