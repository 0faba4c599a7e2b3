import { useEffect, useState } from 'react'
import { Alert, Checkbox, DatePicker, Form, Input, Select } from 'antd'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { api, ApiError, saveBlob, send } from '../../api/client'
import { useApi } from '../../api/hooks'
import { FormDialog, isoDay, noFuture, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'

const PARTS = ['open_risk', 'safety_plan', 'referrals', 'summary'] as const
const METHODS = ['书面', '电话', '当面'] as const
/** The choice that sends no package through XinAn but makes the encrypted archive. */
const OUTSIDE = 'outside'

interface Values {
  toSchoolId: string
  parts: string[]
  summary?: string
  consentGuardian: string
  consentMethod: string
  consentDate: Dayjs
  receivingSchoolName?: string
  password?: string
  passwordAgain?: string
}

/**
 * 转学 from the pupil's page: the receiving school (the district's XinAn schools by name, or a
 * school outside XinAn), the parts that travel, a summary and the guardian's consent. To a
 * XinAn school the package is saved and sent at once; outside, the same minimum comes back as
 * an encrypted archive under a password the teacher chooses here (never stored).
 */
export function TransferDialog({ student, open, onClose, onDone }: { student: Row; open: boolean; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const [outside, setOutside] = useState(false)
  const hasNationalId = typeof student.nationalId === 'string' && student.nationalId !== ''
  const id = String(student.id)

  return (
    <FormDialog<Values> open={open} onClose={onClose} testId="transfer-dialog" width={640}
      title={t('tr.dialogTitle', { name: typeof student.name === 'string' ? student.name : '' })}
      submitText={outside ? t('tr.export') : t('tr.sendNow')}
      initialValues={{ parts: ['open_risk', 'safety_plan', 'referrals', 'summary'], consentMethod: '书面' }}
      onSubmit={async (v) => {
        const consent = { consentGuardian: v.consentGuardian.trim(), consentMethod: v.consentMethod, consentDate: isoDay(v.consentDate) }
        const summary = v.summary?.trim() ? { summary: v.summary.trim() } : {}
        if (v.toSchoolId === OUTSIDE) {
          const res = await send(`/students/${id}/transfer-export`, {
            method: 'POST', body: { parts: v.parts, ...summary, ...consent, receivingSchoolName: v.receivingSchoolName?.trim(), password: v.password },
          })
          saveBlob(await res.blob(), '转学档案.zip')
          return
        }
        const draft = await api<Row>(`/students/${id}/transfers`, { method: 'POST', body: { toSchoolId: v.toSchoolId, parts: v.parts, ...summary, ...consent } })
        try {
          await api(`/transfers/${String(draft.id)}/send`, { method: 'POST' })
        } catch (e) {
          // The draft is kept: it can be sent from 转学档案 once the problem is fixed.
          throw e instanceof ApiError ? e : new ApiError(0, 'network', String(e))
        }
      }}
      onDone={onDone}>
      <TransferFields hasNationalId={hasNationalId} open={open} onOutside={setOutside} />
    </FormDialog>
  )
}

/** The dialog's fields; they follow the form's own choices (the receiving school, the parts). */
function TransferFields({ hasNationalId, open, onOutside }: { hasNationalId: boolean; open: boolean; onOutside: (outside: boolean) => void }) {
  const { t, label } = useI18n()
  const required = useRequired()
  const schools = useApi<Array<{ id: string; name: string }>>(open ? '/transfer-schools' : null)
  const to = Form.useWatch<string | undefined>('toSchoolId')
  const parts = Form.useWatch<string[] | undefined>('parts') ?? []
  const outside = to === OUTSIDE
  useEffect(() => onOutside(outside), [outside, onOutside])
  return (
    <>
      {!hasNationalId && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('tr.noNationalId')} />}
      <Form.Item name="toSchoolId" label={t('tr.toSchool')} rules={required(t('tr.toSchool'))}>
        <Select data-testid="transfer-school" loading={schools.loading}
          options={[...(schools.data ?? []).map((s) => ({ value: s.id, label: s.name })), { value: OUTSIDE, label: t('tr.outside') }]} />
      </Form.Item>
      <Form.Item name="parts" label={t('tr.parts')} extra={t('tr.partsHelp')} rules={required(t('tr.parts'))}>
        <Checkbox.Group data-testid="transfer-parts" options={PARTS.map((p) => ({ value: p, label: label('transferPart', p) }))} />
      </Form.Item>
      {parts.includes('summary') && (
        <Form.Item name="summary" label={t('tr.summary')} extra={t('tr.summaryHelp')} rules={required(t('tr.summary'))}>
          <Input.TextArea rows={4} maxLength={4000} data-testid="transfer-summary" />
        </Form.Item>
      )}
      <Form.Item name="consentGuardian" label={t('tr.consentGuardian')} rules={required(t('tr.consentGuardian'))}>
        <Input maxLength={50} data-testid="transfer-consent-guardian" />
      </Form.Item>
      <Form.Item name="consentMethod" label={t('tr.consentMethod')} rules={required(t('tr.consentMethod'))}>
        <Select options={METHODS.map((m) => ({ value: m, label: label('consentMethod', m) }))} />
      </Form.Item>
      <Form.Item name="consentDate" label={t('tr.consentDate')} rules={required(t('tr.consentDate'))}>
        <DatePicker id="transfer-consent-date" disabledDate={noFuture} />
      </Form.Item>
      {outside && (
        <>
          <Form.Item name="receivingSchoolName" label={t('tr.receivingSchoolName')} rules={required(t('tr.receivingSchoolName'))}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="password" label={t('tr.password')} extra={t('tr.passwordHelp')} rules={[...required(t('tr.password')), { min: 10, message: t('tr.passwordHelp') }]}>
            <Input.Password autoComplete="new-password" maxLength={128} />
          </Form.Item>
          <Form.Item name="passwordAgain" label={t('tr.passwordAgain')} dependencies={['password']}
            rules={[...required(t('tr.passwordAgain')), ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('tr.passwordMismatch')))) })]}>
            <Input.Password autoComplete="new-password" maxLength={128} />
          </Form.Item>
        </>
      )}
    </>
  )
}
