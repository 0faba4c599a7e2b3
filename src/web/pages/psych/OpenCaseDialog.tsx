import { Form, Input, Select } from 'antd'
import { useNavigate } from 'react-router'
import { useI18n } from '../../i18n'
import { api } from '../../api/client'
import { routes } from '../../api/routes'
import { compact, FormDialog, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'

const SOURCES = ['screening', 'alert', 'talk', 'referral_back', 'letter', 'other'] as const
const RISKS = ['red', 'orange', 'yellow', 'green'] as const

interface Values { source: string; riskLevel: string; summary?: string }

/** 新建个案 from the student's archive; the new case's page opens once the server has it. */
export function OpenCaseDialog({ studentId, open, onClose, initial }: {
  studentId: string
  open: boolean
  onClose: () => void
  /** A case opened from a record (a screening result): its source, the record and the risk to start from. */
  initial?: { source: string; sourceRef?: string; riskLevel?: string }
}) {
  const { t, label } = useI18n()
  const required = useRequired()
  const navigate = useNavigate()
  return (
    <FormDialog<Values> open={open} onClose={onClose} testId="open-case-dialog" title={t('caseForm.openCase')} initialValues={{ source: initial?.source ?? 'other', ...(initial?.riskLevel ? { riskLevel: initial.riskLevel } : {}) }}
      onSubmit={(v) => api<Row>(routes.studentCases(studentId), { method: 'POST', body: { source: v.source, riskLevel: v.riskLevel, ...compact({ summary: v.summary, sourceRef: v.source === initial?.source ? initial.sourceRef : undefined }) } })}
      onDone={(r) => { const id = (r as Row | undefined)?.id; if (typeof id === 'string') void navigate(`/cases/${id}`) }}>
      <Form.Item name="source" label={t('field.source')} rules={required(t('field.source'))}>
        <Select options={SOURCES.map((s) => ({ value: s, label: label('caseSource', s) }))} />
      </Form.Item>
      <Form.Item name="riskLevel" label={t('field.riskLevel')} rules={required(t('field.riskLevel'))} extra={t('caseForm.riskHelp')}>
        <Select options={RISKS.map((r) => ({ value: r, label: label('risk', r) }))} />
      </Form.Item>
      <Form.Item name="summary" label={t('field.summary')}>
        <Input.TextArea rows={4} maxLength={4000} showCount />
      </Form.Item>
    </FormDialog>
  )
}
