import { DatePicker, Form, Input, Select, Typography } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { DialogButton, FormDialog, isoDay, noFuture, useRequired } from '../../components/forms'
import { RecordTable } from '../../components/records'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import MentorSafetyPlans from './MentorSafetyPlans'

const KINDS = ['talk', 'activity', 'home_visit', 'online'] as const

interface ContactValues { contactDate: Dayjs; kind: string; summary?: string }

/** 记录联系: one contact with a paired student, logged by the pairing's own mentor while it is active. */
function LogContact({ pairing, onDone }: { pairing: Row; onDone: () => void }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <DialogButton label={t('mentor.logContact')} type="primary" testId="log-contact">
      {(open, close) => (
        <FormDialog<ContactValues> open={open} onClose={close} title={t('mentor.logContact')} testId="mentor-contact" onDone={onDone}
          initialValues={{ contactDate: dayjs(), kind: 'talk' }}
          onSubmit={(v) => api(routes.pairingContacts(String(pairing.id)), {
            method: 'POST', body: { contactDate: isoDay(v.contactDate), kind: v.kind, ...(v.summary?.trim() ? { summary: v.summary.trim() } : {}) },
          })}>
          <Form.Item name="contactDate" label={t('mentor.contactDate')} rules={required(t('mentor.contactDate'))}>
            <DatePicker disabledDate={noFuture} />
          </Form.Item>
          <Form.Item name="kind" label={t('mentor.contactKind')} htmlFor="mentor-contact-kind" rules={required(t('mentor.contactKind'))}>
            <Select id="mentor-contact-kind" options={KINDS.map((k) => ({ value: k, label: t(`mentorContact.${k}`) }))} />
          </Form.Item>
          <Form.Item name="summary" label={t('mentor.contactSummary')} extra={t('mentor.contactSummaryHelp')}>
            <Input.TextArea rows={4} maxLength={1000} showCount />
          </Form.Item>
        </FormDialog>
      )}
    </DialogButton>
  )
}

/** 结对学生: the mentor's active pairings, the guidance addressed to them, and their contact log. */
export default function MentorPage() {
  const { t } = useI18n()
  const pairings = useApi<Page<Row>>(routes.pairings, { limit: 200 })
  const contacts = useApi<Page<Row>>(routes.mentorContacts, { limit: 200 })
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('mentor.title')}</Typography.Title>
      <Section loaded={pairings} empty={(p) => p.items.length === 0}>
        {(p) => <RecordTable data-testid="pairings" rows={p.items} order={['studentId', 'purpose', 'frequency', 'guidance', 'startDate', 'plannedEndDate']}
          render={{ studentId: (_v, r: Row) => <StudentRef row={r} /> }}
          extra={[{ key: 'log', title: t('common.actions'), render: (_: unknown, r: Row) => <LogContact pairing={r} onDone={contacts.reload} /> }]} />}
      </Section>
      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('mentor.contacts')}</Typography.Title>
      <Section loaded={contacts} empty={(p) => p.items.length === 0}>
        {(p) => <RecordTable data-testid="mentor-contacts" rows={p.items} order={['contactDate', 'studentId', 'kind', 'summary']}
          render={{ studentId: (_v, r: Row) => <StudentRef row={r} />, kind: (v) => (KINDS.includes(v as (typeof KINDS)[number]) ? t(`mentorContact.${v as (typeof KINDS)[number]}`) : '—') }} />}
      </Section>
      <MentorSafetyPlans />
    </div>
  )
}
