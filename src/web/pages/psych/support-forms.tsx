import { useState } from 'react'
import { App, Button, Checkbox, DatePicker, Form, Input, InputNumber, Select, Space, Typography } from 'antd'
import { CheckOutlined, PlusOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { api, ApiError } from '../../api/client'
import { routes } from '../../api/routes'
import { compact, FormDialog, isoDay, noFuture, noPast, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'
import { useApi } from '../../api/hooks'
import { StudentPicker } from './student-picker'
import { classOptions } from './student-class'
import { SafetyPlanReturnReview } from './SafetyPlanSection'

/**
 * The steps around a case: 师生结对 (a mentor teacher for the pupil), 家校协同 (a contact with
 * the parents, or that they were deliberately not told), 及时转介 (a referral to an
 * institution of the school's directory), and the acknowledgement of a crisis event.
 */

interface DialogProps { open: boolean; onClose: () => void; onDone: () => void }

const FREQUENCIES = ['weekly', 'biweekly', 'monthly'] as const
const CHANNELS = ['phone', 'meeting', 'home_visit', 'online'] as const
const CONSENTS = ['given', 'refused', 'not_asked'] as const
const INSTITUTION_KINDS = ['hospital_psychiatry', 'mental_health_centre', 'counselling_centre', 'other'] as const

/** A user as a choice: display name with the user name (two teachers may share a name). */
const userLabel = (u: Row) => [u.displayName, u.username ? `(${asText(u.username)})` : ''].filter(Boolean).join(' ')
const institutionLabel = (i: Row) => [i.name, i.department].filter(Boolean).join(' · ')

interface PairingValues { mentorId: string; purpose: string; frequency: string; guidance?: string; startDate?: Dayjs; plannedEndDate?: Dayjs }

/**
 * 新建结对. The choice lists the school's active staff accounts (GET /users, names only for
 * psychology teachers); the server accepts only a teacher (psychology, homeroom, mentor or
 * school admin) and says so otherwise.
 */
export function PairingDialog({ studentId, users, ...p }: DialogProps & { studentId: string; users: Row[] }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<PairingValues> {...p} testId="pairing-dialog" title={t('caseForm.newPairing')} width={640}
      initialValues={{ frequency: 'weekly', startDate: dayjs() }}
      onSubmit={(v) => api(routes.studentPairings(studentId), {
        method: 'POST',
        body: { mentorId: v.mentorId, purpose: v.purpose.trim(), ...compact({ frequency: v.frequency, guidance: v.guidance, startDate: isoDay(v.startDate), plannedEndDate: isoDay(v.plannedEndDate) }) },
      })}>
      <Form.Item name="mentorId" label={t('field.mentorId')} rules={required(t('field.mentorId'))} extra={t('caseForm.mentorHelp')}>
        <Select showSearch={{ optionFilterProp: 'label' }} options={users.map((u) => ({ value: String(u.id), label: userLabel(u) }))} />
      </Form.Item>
      <Form.Item name="purpose" label={t('field.purpose')} rules={required(t('field.purpose'))}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="frequency" label={t('field.frequency')}>
        <Select options={FREQUENCIES.map((f) => ({ value: f, label: t(`frequency.${f}`) }))} />
      </Form.Item>
      <Form.Item name="guidance" label={t('field.guidance')} extra={t('caseForm.guidanceHelp')}>
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
      <Space wrap size="large">
        <Form.Item name="startDate" label={t('field.startDate')}><DatePicker /></Form.Item>
        <Form.Item name="plannedEndDate" label={t('field.plannedEndDate')}><DatePicker disabledDate={noPast} /></Form.Item>
      </Space>
    </FormDialog>
  )
}

/** 结束结对: the mentor's access ends with their next request. */
export function EndPairingDialog({ pairingId, ...p }: DialogProps & { pairingId: string }) {
  const { t } = useI18n()
  return (
    <FormDialog<{ endedReason?: string }> {...p} testId="end-pairing-dialog" title={t('caseForm.endPairing')} submitText={t('caseForm.endPairing')}
      onSubmit={(v) => api(routes.pairingEnd(pairingId), { method: 'POST', body: compact({ endedReason: v.endedReason }) })}>
      <Form.Item name="endedReason" label={t('field.endedReason')}>
        <Input maxLength={200} />
      </Form.Item>
    </FormDialog>
  )
}

interface ContactValues {
  notTold?: boolean
  notToldReason?: string
  channel?: string
  guardianId?: string
  contactDate: Dayjs
  content?: string
  outcome?: string
  referralConsent?: string
}

/** 家校沟通记录: how and when the parents were contacted, or why they were deliberately not told. */
export function ParentContactDialog({ studentId, caseId, guardians, ...p }: DialogProps & { studentId: string; caseId: string; guardians: Row[] }) {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<ContactValues> {...p} testId="contact-dialog" title={t('caseForm.logContact')} width={640}
      initialValues={{ channel: 'phone', contactDate: dayjs() }}
      onSubmit={(v) => api(routes.studentParentContacts(studentId), {
        method: 'POST',
        body: v.notTold
          ? { caseId, notTold: true, ...compact({ notToldReason: v.notToldReason, contactDate: isoDay(v.contactDate) }) }
          : { caseId, ...compact({ channel: v.channel, guardianId: v.guardianId, contactDate: isoDay(v.contactDate), content: v.content, outcome: v.outcome, referralConsent: v.referralConsent }) },
      })}>
      <Form.Item name="notTold" valuePropName="checked">
        <Checkbox>{t('caseForm.notTold')}</Checkbox>
      </Form.Item>
      <Form.Item name="contactDate" label={t('field.contactDate')} rules={required(t('field.contactDate'))}>
        <DatePicker style={{ width: '100%' }} disabledDate={noFuture} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a: ContactValues, b: ContactValues) => a.notTold !== b.notTold}>
        {({ getFieldValue }) => getFieldValue('notTold') ? (
          <Form.Item name="notToldReason" label={t('field.notToldReason')} rules={required(t('field.notToldReason'))} extra={t('caseForm.notToldHelp')}>
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="channel" label={t('field.channel')} rules={required(t('field.channel'))}>
              <Select options={CHANNELS.map((c) => ({ value: c, label: label('contactChannel', c) }))} />
            </Form.Item>
            {guardians.length > 0 && (
              <Form.Item name="guardianId" label={t('field.guardianId')}>
                <Select allowClear options={guardians.map((g) => ({ value: String(g.id), label: [g.name, g.relation].filter(Boolean).join(' · ') }))} />
              </Form.Item>
            )}
            <Form.Item name="content" label={t('field.content')}>
              <Input.TextArea rows={3} maxLength={2000} showCount />
            </Form.Item>
            <Form.Item name="outcome" label={t('field.outcome')}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
            <Form.Item name="referralConsent" label={t('field.referralConsent')}>
              <Select allowClear options={CONSENTS.map((c) => ({ value: c, label: label('referralConsent', c) }))} />
            </Form.Item>
          </>
        )}
      </Form.Item>
    </FormDialog>
  )
}

interface InstitutionValues { name: string; kind: string; department?: string; contactPhone?: string; address?: string }

/** 新增转介机构: the school's directory grows from the referral dialog when the institution is missing. */
function InstitutionDialog({ onCreated, ...p }: Omit<DialogProps, 'onDone'> & { onCreated: (i: Row) => void }) {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<InstitutionValues> {...p} testId="institution-dialog" title={t('caseForm.newInstitution')} initialValues={{ kind: 'hospital_psychiatry' }}
      onSubmit={(v) => api<Row>(routes.institutions, { method: 'POST', body: { name: v.name.trim(), kind: v.kind, ...compact({ department: v.department, contactPhone: v.contactPhone, address: v.address }) } })}
      onDone={(r) => onCreated(r as Row)}>
      <Form.Item name="name" label={t('caseForm.institutionName')} rules={required(t('caseForm.institutionName'))}><Input maxLength={100} /></Form.Item>
      <Form.Item name="kind" label={t('field.kind')} rules={required(t('field.kind'))}>
        <Select options={INSTITUTION_KINDS.map((k) => ({ value: k, label: label('institutionKind', k) }))} />
      </Form.Item>
      <Form.Item name="department" label={t('field.department')}><Input maxLength={100} /></Form.Item>
      <Form.Item name="contactPhone" label={t('field.contactPhone')}><Input maxLength={24} inputMode="tel" /></Form.Item>
      <Form.Item name="address" label={t('field.address')}><Input maxLength={200} /></Form.Item>
    </FormDialog>
  )
}

/** The "new institution" button beside the choice: the new one is chosen at once. */
function InstitutionAdder({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n()
  const form = Form.useFormInstance<ReferralValues>()
  const [adding, setAdding] = useState(false)
  return (
    <>
      <Button icon={<PlusOutlined aria-hidden />} onClick={() => setAdding(true)}>{t('caseForm.newInstitution')}</Button>
      <InstitutionDialog open={adding} onClose={() => setAdding(false)}
        onCreated={(i) => { onAdded(); form.setFieldsValue({ institutionId: String(i.id) }) }} />
    </>
  )
}

interface ReferralValues { institutionId: string; reason: string; followUpDate: Dayjs }

/** 拟转介: to an institution of the directory; the printable form is linked from the list once it exists. */
export function ReferralDialog({ studentId, caseId, institutions, onInstitutionAdded, ...p }: DialogProps & {
  studentId: string
  caseId: string
  institutions: Row[]
  onInstitutionAdded: () => void
}) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<ReferralValues> {...p} testId="referral-dialog" title={t('caseForm.newReferral')} width={640}
      initialValues={{ followUpDate: dayjs().add(14, 'day') }}
      onSubmit={(v) => api(routes.studentReferrals(studentId), {
        method: 'POST',
        body: { institutionId: v.institutionId, reason: v.reason.trim(), followUpDate: isoDay(v.followUpDate), caseId },
      })}>
      <Form.Item label={t('field.institutionId')} required htmlFor="referral-institution">
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="institutionId" noStyle rules={required(t('field.institutionId'))}>
            <Select showSearch={{ optionFilterProp: 'label' }} id="referral-institution" style={{ width: '100%' }}
              notFoundContent={t('caseForm.noInstitutions')}
              options={institutions.map((i) => ({ value: String(i.id), label: institutionLabel(i) }))} />
          </Form.Item>
          <InstitutionAdder onAdded={onInstitutionAdded} />
        </Space.Compact>
      </Form.Item>
      <Form.Item name="reason" label={t('field.reason')} rules={required(t('field.reason'))} extra={t('caseForm.referralReasonHelp')}>
        <Input.TextArea rows={3} maxLength={1000} showCount />
      </Form.Item>
      <Form.Item name="followUpDate" label={t('field.followUpDate')} rules={required(t('field.followUpDate'))}>
        <DatePicker style={{ width: '100%' }} disabledDate={noPast} />
      </Form.Item>
    </FormDialog>
  )
}

/** Mirrors the server's referral loop (referral-rules.ts) only to offer the possible next steps; the server decides. */
export const REFERRAL_NEXT: Record<string, string[]> = {
  proposed: ['consented', 'withdrawn'],
  consented: ['sent', 'withdrawn'],
  sent: ['received'],
  received: ['feedback'],
  feedback: ['reassessed'],
  reassessed: ['closed'],
}
/** The server prints the form only once the parents have consented. */
export const printable = (state: unknown) => typeof state === 'string' && state !== 'proposed' && state !== 'withdrawn'

interface StepValues { to: string; consentContactId?: string; receivedOn?: Dayjs; followUpDate?: Dayjs; feedback?: string; reassessmentResult?: string; reassessedRisk?: string; note?: string }

/**
 * 转介进度: one step of the loop, with what that step records — the parents' consent (a
 * logged contact where they gave it), the receipt date, the institution's feedback, the
 * return-to-school assessment.
 */
export function ReferralStepDialog({ referral, contacts, caseId, ...p }: DialogProps & { referral: Row; contacts: Row[]; caseId?: string }) {
  const { t, label } = useI18n()
  const required = useRequired()
  const next = REFERRAL_NEXT[String(referral.state)] ?? []
  const consents = contacts.filter((c) => c.referralConsent === 'given')
  return (
    <FormDialog<StepValues> {...p} testId="referral-step-dialog" title={t('caseForm.referralStep')} initialValues={{ to: next[0], receivedOn: dayjs() }}
      onSubmit={(v) => {
        const body: Record<string, unknown> = { to: v.to }
        if (v.to === 'consented') body.consentContactId = v.consentContactId
        if (v.to === 'received') Object.assign(body, { receivedOn: isoDay(v.receivedOn) }, compact({ followUpDate: isoDay(v.followUpDate) }))
        if (v.to === 'feedback') Object.assign(body, { feedback: v.feedback?.trim() }, compact({ followUpDate: isoDay(v.followUpDate) }))
        if (v.to === 'reassessed') Object.assign(body, { reassessmentResult: v.reassessmentResult?.trim(), reassessedRisk: v.reassessedRisk })
        if (v.to === 'withdrawn') Object.assign(body, compact({ note: v.note }))
        return api(routes.referralTransitions(String(referral.id)), { method: 'POST', body })
      }}>
      <Form.Item name="to" label={t('caseForm.toState')} rules={required(t('caseForm.toState'))}>
        <Select options={next.map((s) => ({ value: s, label: label('referralState', s) }))} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a: StepValues, b: StepValues) => a.to !== b.to}>
        {({ getFieldValue }) => {
          const to = getFieldValue('to') as string | undefined
          if (to === 'consented') return (
            <Form.Item name="consentContactId" label={t('caseForm.consentContact')} rules={required(t('caseForm.consentContact'))} extra={consents.length === 0 ? t('caseForm.noConsent') : undefined}>
              <Select options={consents.map((c) => ({ value: String(c.id), label: `${asText(c.contactDate)} · ${label('contactChannel', c.channel)}${c.content ? ` · ${asText(c.content).slice(0, 30)}` : ''}` }))} />
            </Form.Item>
          )
          if (to === 'received') return (
            <>
              <Form.Item name="receivedOn" label={t('field.receivedOn')} rules={required(t('field.receivedOn'))}><DatePicker style={{ width: '100%' }} disabledDate={noFuture} /></Form.Item>
              <Form.Item name="followUpDate" label={t('field.followUpDate')}><DatePicker style={{ width: '100%' }} disabledDate={noPast} /></Form.Item>
            </>
          )
          if (to === 'feedback') return (
            <>
              <Form.Item name="feedback" label={t('field.feedback')} rules={required(t('field.feedback'))} extra={t('caseForm.feedbackHelp')}><Input.TextArea rows={3} maxLength={500} showCount /></Form.Item>
              <Form.Item name="followUpDate" label={t('field.followUpDate')}><DatePicker style={{ width: '100%' }} disabledDate={noPast} /></Form.Item>
            </>
          )
          if (to === 'reassessed') return (
            <>
              <SafetyPlanReturnReview caseId={typeof referral.caseId === 'string' ? referral.caseId : caseId ?? null} />
              <Form.Item name="reassessmentResult" label={t('field.reassessmentResult')} rules={required(t('field.reassessmentResult'))}><Input.TextArea rows={3} maxLength={1000} showCount /></Form.Item>
              <Form.Item name="reassessedRisk" label={t('field.reassessedRisk')} rules={required(t('field.reassessedRisk'))}>
                <Select options={['red', 'orange', 'yellow', 'green'].map((r) => ({ value: r, label: label('risk', r) }))} />
              </Form.Item>
            </>
          )
          if (to === 'withdrawn') return <Form.Item name="note" label={t('caseForm.withdrawNote')}><Input maxLength={200} /></Form.Item>
          return null
        }}
      </Form.Item>
    </FormDialog>
  )
}

/** 确认接收 a crisis event: stops its escalation. A refusal is shown with its code. */
export function AcknowledgeButton({ path, onDone, what }: { path: string; onDone: () => void; what: string }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [busy, setBusy] = useState(false)
  async function acknowledge() {
    setBusy(true)
    try {
      await api(path, { method: 'POST', body: {} })
      message.success(t('psych.acknowledged'))
      onDone()
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button size="small" type="primary" icon={<CheckOutlined aria-hidden />} loading={busy} aria-label={`${t('psych.acknowledge')}: ${what}`}
      onClick={() => void acknowledge()}>
      {t('psych.acknowledge')}
    </Button>
  )
}

interface WatchValues { studentId: string; monitorId: string; ask: string; startDate?: Dayjs; endDate?: Dayjs }

/** The monitors of one student's class (names only); nothing until a student is chosen. */
function MonitorSelect({ studentId, value, onChange, id }: { studentId?: string; value?: string; onChange?: (v: string) => void; id?: string }) {
  const { t } = useI18n()
  const monitors = useApi<{ items: Row[] }>(studentId ? routes.studentPeerMonitors(studentId) : null)
  const items = monitors.data?.items ?? []
  return (
    <>
      <Select id={id} value={value} onChange={onChange} loading={monitors.loading} disabled={!studentId} data-testid="watch-monitor"
        options={items.map((m) => ({ value: String(m.id), label: asText(m.displayName) }))} />
      {studentId && monitors.data && items.length === 0 && <Typography.Text type="warning" role="status">{t('psy.watch.noMonitor')}</Typography.Text>}
    </>
  )
}

/**
 * 请心理委员关注 (同伴跟防): a monitor of the student's class keeps an eye on them for a while.
 * The monitor reads the ask and the classmate only, so the help text asks for everyday words.
 */
export function WatchRequestDialog({ student, ...p }: DialogProps & { student?: Row }) {
  const { t } = useI18n()
  const required = useRequired()
  const [studentId, setStudentId] = useState<string | undefined>(typeof student?.id === 'string' ? student.id : undefined)
  return (
    <FormDialog<WatchValues> {...p} testId="watch-dialog" title={t('psy.watch.new')} width={600}
      initialValues={{ startDate: dayjs(), ...(studentId ? { studentId } : {}) }}
      onSubmit={(v) => api(routes.studentPeerWatch(v.studentId), {
        method: 'POST', body: { monitorId: v.monitorId, ask: v.ask.trim(), ...compact({ startDate: isoDay(v.startDate), endDate: isoDay(v.endDate) }) },
      })}>
      <Form.Item name="studentId" label={t('psy.watch.student')} htmlFor="watch-student" rules={required(t('psy.watch.student'))}>
        <StudentPicker id="watch-student" initial={student} onChange={setStudentId} />
      </Form.Item>
      <Form.Item name="monitorId" label={t('psy.watch.monitor')} htmlFor="watch-monitor" extra={t('psy.watch.monitorHelp')} rules={required(t('psy.watch.monitor'))}>
        <MonitorSelect id="watch-monitor" studentId={studentId} />
      </Form.Item>
      <Form.Item name="ask" label={t('psy.watch.ask')} extra={t('psy.watch.askHelp')} rules={required(t('psy.watch.ask'))}>
        <Input.TextArea rows={3} maxLength={300} showCount />
      </Form.Item>
      <Space wrap size="large">
        <Form.Item name="startDate" label={t('psy.watch.startDate')}><DatePicker /></Form.Item>
        <Form.Item name="endDate" label={t('psy.watch.endDate')}><DatePicker disabledDate={noPast} /></Form.Item>
      </Space>
    </FormDialog>
  )
}

export const ACTIVITY_KINDS = ['parent_school', 'home_visit', 'parent_meeting'] as const
interface ActivityValues { kind: string; title: string; activityDate: Dayjs; classId?: string | null; attendance: number }

/** 家长学校 / 家访 / 家长会: a new one, or `activity` changed (every field may be edited). */
export function ActivityDialog({ activity, classes, ...p }: DialogProps & { activity?: Row; classes: Map<string, string> }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<ActivityValues> {...p} testId="activity-dialog" title={activity ? t('psy.act.editTitle') : t('psy.act.new')}
      initialValues={activity
        ? { kind: String(activity.kind), title: asText(activity.title), activityDate: dayjs(String(activity.activityDate)), classId: (activity.classId as string | null) ?? undefined, attendance: Number(activity.attendance ?? 0) }
        : { kind: 'parent_meeting', activityDate: dayjs(), attendance: 0 }}
      onSubmit={(v) => {
        const body = { kind: v.kind, title: v.title.trim(), activityDate: isoDay(v.activityDate), attendance: v.attendance }
        return activity
          ? api(routes.activity(String(activity.id)), { method: 'PATCH', body: { ...body, classId: v.classId ?? null } })
          : api(routes.activities, { method: 'POST', body: { ...body, ...compact({ classId: v.classId ?? undefined }) } })
      }}>
      <Form.Item name="kind" label={t('psy.act.kind')} htmlFor="activity-kind" rules={required(t('psy.act.kind'))}>
        <Select id="activity-kind" options={ACTIVITY_KINDS.map((k) => ({ value: k, label: t(`psy.act.kind.${k}`) }))} />
      </Form.Item>
      <Form.Item name="title" label={t('psy.act.activityTitle')} rules={required(t('psy.act.activityTitle'))}>
        <Input maxLength={100} />
      </Form.Item>
      <Space wrap size="large">
        <Form.Item name="activityDate" label={t('psy.act.date')} rules={required(t('psy.act.date'))}><DatePicker /></Form.Item>
        <Form.Item name="attendance" label={t('psy.act.attendance')} extra={t('psy.act.attendanceHelp')} rules={required(t('psy.act.attendance'))}>
          <InputNumber min={0} max={100000} precision={0} />
        </Form.Item>
      </Space>
      <Form.Item name="classId" label={t('psy.act.class')} htmlFor="activity-class" extra={t('psy.act.classHelp')}>
        <Select id="activity-class" allowClear showSearch={{ optionFilterProp: 'label' }} placeholder={t('psy.act.wholeSchool')}
          options={classOptions(classes)} />
      </Form.Item>
    </FormDialog>
  )
}
