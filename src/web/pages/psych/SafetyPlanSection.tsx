import { useState } from 'react'
import { Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd'
import { EditOutlined, HistoryOutlined, MinusCircleOutlined, PlusOutlined, PrinterOutlined, StopOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import type { MessageKey } from '../../i18n/messages'
import { asText, formatDate, formatDateTime } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api } from '../../api/client'
import { routes } from '../../api/routes'
import { FormDialog, isoDay, noFuture, Popconfirm, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'

export interface Contact { name: string; phone?: string }

/** The plan's content as the API holds it: the six steps and the reasons for living. */
export interface PlanContent {
  warningSigns: string[]
  copingStrategies: string[]
  socialDistractions: string[]
  helpContacts: Contact[]
  professionals: Contact[]
  environmentSafety: string[]
  reasonsForLiving: string[]
}

/** In the form, a list step is one text area with one entry per line. */
interface ContentValues {
  warningSigns?: string
  copingStrategies?: string
  socialDistractions?: string
  helpContacts?: Array<Partial<Contact>>
  professionals?: Array<Partial<Contact>>
  environmentSafety?: string
  reasonsForLiving?: string
}

type ListKey = 'warningSigns' | 'copingStrategies' | 'socialDistractions' | 'environmentSafety' | 'reasonsForLiving'
type ContactKey = 'helpContacts' | 'professionals'

/** The steps in the order of the plan, with their heading and help text. */
export const STEPS: Array<{ key: ListKey | ContactKey; title: MessageKey; help: MessageKey; contacts?: true }> = [
  { key: 'warningSigns', title: 'sp.step1', help: 'sp.step1Help' },
  { key: 'copingStrategies', title: 'sp.step2', help: 'sp.step2Help' },
  { key: 'socialDistractions', title: 'sp.step3', help: 'sp.step3Help' },
  { key: 'helpContacts', title: 'sp.step4', help: 'sp.step4Help', contacts: true },
  { key: 'professionals', title: 'sp.step5', help: 'sp.step5Help', contacts: true },
  { key: 'environmentSafety', title: 'sp.step6', help: 'sp.step6Help' },
  { key: 'reasonsForLiving', title: 'sp.reasons', help: 'sp.reasonsHelp' },
]

const lines = (s: string | undefined) => (s ?? '').split('\n').map((l) => l.trim()).filter(Boolean)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
export const contactsOf = (v: unknown): Contact[] =>
  (Array.isArray(v) ? v.filter((c): c is Contact => !!c && typeof c === 'object' && typeof (c as Contact).name === 'string') : [])

function toValues(c: Partial<PlanContent> | undefined): ContentValues {
  return {
    warningSigns: strings(c?.warningSigns).join('\n'),
    copingStrategies: strings(c?.copingStrategies).join('\n'),
    socialDistractions: strings(c?.socialDistractions).join('\n'),
    helpContacts: contactsOf(c?.helpContacts),
    professionals: contactsOf(c?.professionals),
    environmentSafety: strings(c?.environmentSafety).join('\n'),
    reasonsForLiving: strings(c?.reasonsForLiving).join('\n'),
  }
}

function toContent(v: ContentValues): PlanContent {
  const contacts = (list: Array<Partial<Contact>> | undefined): Contact[] => (list ?? [])
    .filter((c) => (c.name ?? '').trim())
    .map((c) => ({ name: (c.name ?? '').trim(), ...((c.phone ?? '').trim() ? { phone: (c.phone ?? '').trim() } : {}) }))
  return {
    warningSigns: lines(v.warningSigns),
    copingStrategies: lines(v.copingStrategies),
    socialDistractions: lines(v.socialDistractions),
    helpContacts: contacts(v.helpContacts),
    professionals: contacts(v.professionals),
    environmentSafety: lines(v.environmentSafety),
    reasonsForLiving: lines(v.reasonsForLiving),
  }
}

/** Name and phone rows of step 4 or 5 (free text: an extension or opening hours fit in). */
function ContactRows({ name, prefix }: { name: ContactKey; prefix?: string }) {
  const { t } = useI18n()
  const path = prefix ? [prefix, name] : [name]
  return (
    <Form.List name={path}>
      {(fields, { add, remove }) => (
        <div data-testid={`sp-${name}`}>
          {fields.map((f, i) => (
            <Space key={f.key} align="baseline" style={{ display: 'flex', marginBottom: 4 }}>
              <Form.Item name={[f.name, 'name']} noStyle><Input placeholder={t('sp.name')} aria-label={`${t('sp.name')} ${i + 1}`} maxLength={100} style={{ width: 220 }} /></Form.Item>
              <Form.Item name={[f.name, 'phone']} noStyle><Input placeholder={t('sp.phone')} aria-label={`${t('sp.phone')} ${i + 1}`} maxLength={40} style={{ width: 160 }} /></Form.Item>
              <Button type="text" icon={<MinusCircleOutlined aria-hidden />} aria-label={`${t('sp.remove')} ${i + 1}`} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={() => add({ name: '', phone: '' })}>{t('sp.addContact')}</Button>
        </div>
      )}
    </Form.List>
  )
}

/** The seven fields of the plan; `prefix` nests them (a review's new content). */
function ContentFields({ prefix }: { prefix?: string }) {
  const { t } = useI18n()
  return (
    <>
      {STEPS.map((s) => (
        <Form.Item key={s.key} label={t(s.title)} extra={`${t(s.help)}${s.contacts ? '' : `（${t('sp.onePerLine')}）`}`}
          {...(s.contacts ? {} : { name: prefix ? [prefix, s.key] : s.key, htmlFor: `sp-${s.key}` })}>
          {s.contacts ? <ContactRows name={s.key as ContactKey} prefix={prefix} /> : <Input.TextArea id={`sp-${s.key}`} rows={3} data-testid={`sp-${s.key}`} />}
        </Form.Item>
      ))}
    </>
  )
}

/** The steps of one version, read-only: headings and their entries. */
export function PlanSteps({ version, only }: { version: Row; only?: ReadonlyArray<ListKey | ContactKey> }) {
  const { t } = useI18n()
  const steps = only ? STEPS.filter((s) => only.includes(s.key)) : STEPS
  return (
    <Descriptions column={1} size="small" bordered>
      {steps.filter((s) => s.key in version).map((s) => {
        const entries = s.contacts
          ? contactsOf(version[s.key]).map((c) => (c.phone ? `${c.name}：${c.phone}` : c.name))
          : strings(version[s.key])
        return (
          <Descriptions.Item key={s.key} label={t(s.title)}>
            <div data-testid={`sp-view-${s.key}`}>
              {entries.length ? <ul style={{ margin: 0, paddingInlineStart: 18 }}>{entries.map((e, i) => <li key={i}>{e}</li>)}</ul> : <Typography.Text type="secondary">{t('sp.empty')}</Typography.Text>}
            </div>
          </Descriptions.Item>
        )
      })}
    </Descriptions>
  )
}

interface ReviewValues { reviewedOn: Dayjs; context: string; note?: string; changePlan?: boolean; plan?: ContentValues }

/**
 * 安全计划 on the case page: the version in force, the version history, the latest review, and
 * the psychology teacher's writes — create, save a new version, review, print, end.
 */
export default function SafetyPlanSection({ caseId, closed, crises }: { caseId: string; closed: boolean; crises: Row[] }) {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const [dialog, setDialog] = useState<'create' | 'edit' | 'review' | { version: number } | null>(null)
  const close = () => setDialog(null)
  const plan = useApi<Row>(routes.caseSafetyPlan(caseId))
  const defaults = useApi<{ professionals: Contact[] }>(dialog === 'create' ? routes.caseSafetyPlanDefaults(caseId) : null)
  const planId = typeof plan.data?.id === 'string' ? plan.data.id : null
  const oldVersion = useApi<Row>(planId && typeof dialog === 'object' && dialog !== null ? routes.safetyPlanVersion(planId, dialog.version) : null)
  // No plan is a 404 of this route: the empty state with "create".
  const none = plan.error?.status === 404
  const p = plan.data
  const current = (p?.current ?? undefined) as Row | undefined
  const versions = (Array.isArray(p?.versions) ? p.versions : []) as Row[]
  const last = p?.lastReview as Row | null | undefined
  const contextText = (r: Row) => (typeof r.contextText === 'string' ? r.contextText : label('sp.context', r.context))

  const actions = p ? (
    <Space wrap>
      <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => setDialog('edit')} disabled={closed} data-testid="sp-edit">{t('sp.edit')}</Button>
      <Button size="small" onClick={() => setDialog('review')} data-testid="sp-review">{t('sp.review')}</Button>
      <Link to={`/safety-plans/${String(p.id)}/print`} data-testid="sp-print"><PrinterOutlined aria-hidden /> {t('sp.print')}</Link>
      <Popconfirm title={t('sp.endConfirm')} onConfirm={async () => { await api(routes.safetyPlanEnd(String(p.id)), { method: 'POST', body: {} }); plan.reload() }}>
        <Button size="small" danger icon={<StopOutlined aria-hidden />}>{t('sp.end')}</Button>
      </Popconfirm>
    </Space>
  ) : (
    <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={() => setDialog('create')} disabled={closed || !none} data-testid="sp-create">{t('sp.create')}</Button>
  )

  return (
    <Card title={<h2 className="xa-card-title">{t('sp.title')}</h2>} data-testid="case-safety-plan" extra={actions}>
      <Typography.Paragraph type="secondary">{t('sp.help')}</Typography.Paragraph>
      {none && <Typography.Text type="secondary" data-testid="sp-none">{t('sp.none')}</Typography.Text>}
      {plan.error && !none && <Typography.Text type="danger">{plan.error.message}</Typography.Text>}
      {p && (
        <div className="xa-stack">
          <Space wrap>
            <Tag color="blue" data-testid="sp-current-version" data-version={asText(p.currentVersion)}>{t('sp.currentVersion', { n: asText(p.currentVersion) })}</Tag>
            <span>{t('sp.status')}：{label('sp.status', p.status)}</span>
            <span data-testid="sp-last-review">
              {t('sp.lastReview')}：{last ? t('sp.reviewLine', { date: formatDate(last.reviewedOn, locale), context: contextText(last) }) : t('sp.noReview')}
            </span>
          </Space>
          {current && <PlanSteps version={current} />}
          <Typography.Title level={3} style={{ fontSize: 15 }}><HistoryOutlined aria-hidden /> {t('sp.versions')}</Typography.Title>
          <Table<Row> size="small" pagination={false} rowKey={(r) => asText(r.id)} dataSource={versions} data-testid="sp-versions"
            columns={[
              { key: 'version', title: t('sp.versions'), render: (_: unknown, r: Row) => t('sp.versionOf', { n: asText(r.version) }) },
              { key: 'createdAt', title: t('sp.versionSaved'), render: (_: unknown, r: Row) => formatDateTime(r.createdAt, locale) },
              {
                key: 'view', title: t('common.actions'),
                render: (_: unknown, r: Row) => <Button size="small" type="link" onClick={() => setDialog({ version: Number(r.version) })}>{t('sp.viewVersion')}</Button>,
              },
            ]} />
        </div>
      )}

      <FormDialog<ContentValues & { crisisId?: string }> open={dialog === 'create' && defaults.data !== undefined} onClose={close} onDone={plan.reload}
        title={t('sp.create')} testId="sp-create-dialog" width={760}
        initialValues={{ ...toValues({ professionals: defaults.data?.professionals ?? [] }), crisisId: crises[0] ? asText(crises[0].id) : undefined }}
        onSubmit={(v) => api(routes.caseSafetyPlan(caseId), { method: 'POST', body: { ...toContent(v), ...(v.crisisId ? { crisisId: v.crisisId } : {}) } })}>
        {crises.length > 0 && (
          <Form.Item name="crisisId" label={t('sp.crisis')}>
            <Select allowClear placeholder={t('sp.noCrisis')}
              options={crises.map((c) => ({ value: asText(c.id), label: `${formatDateTime(c.openedAt, locale)} · ${label('crisisStatus', c.status)}` }))} />
          </Form.Item>
        )}
        <ContentFields />
      </FormDialog>

      {p && (
        <FormDialog<ContentValues> open={dialog === 'edit'} onClose={close} onDone={plan.reload} title={t('sp.edit')} testId="sp-edit-dialog" width={760}
          initialValues={toValues(current)}
          onSubmit={(v) => api(routes.safetyPlanVersions(String(p.id)), { method: 'POST', body: toContent(v) })}>
          <ContentFields />
        </FormDialog>
      )}

      {p && (
        <FormDialog<ReviewValues> open={dialog === 'review'} onClose={close} onDone={plan.reload} title={t('sp.review')} testId="sp-review-dialog" width={760}
          initialValues={{ reviewedOn: dayjs(), context: 'follow_up', changePlan: false, plan: toValues(current) }}
          onSubmit={(v) => api(routes.safetyPlanReviews(String(p.id)), {
            method: 'POST',
            body: {
              reviewedOn: isoDay(v.reviewedOn), context: v.context,
              ...(v.note?.trim() ? { note: v.note.trim() } : {}),
              ...(v.changePlan && v.plan ? { plan: toContent(v.plan) } : {}),
            },
          })}>
          <Form.Item name="reviewedOn" label={t('sp.reviewedOn')} rules={required(t('sp.reviewedOn'))}><DatePicker disabledDate={noFuture} /></Form.Item>
          <Form.Item name="context" label={t('sp.context')} htmlFor="sp-context" rules={required(t('sp.context'))}>
            <Select id="sp-context" options={['follow_up', 'return_to_school', 'other'].map((c) => ({ value: c, label: label('sp.context', c) }))} />
          </Form.Item>
          <Form.Item name="note" label={t('sp.note')}><Input.TextArea rows={3} maxLength={2000} showCount /></Form.Item>
          <Form.Item name="changePlan" valuePropName="checked"><Checkbox disabled={closed}>{t('sp.changePlan')}</Checkbox></Form.Item>
          <Form.Item noStyle shouldUpdate={(a: ReviewValues, b: ReviewValues) => a.changePlan !== b.changePlan}>
            {({ getFieldValue }) => (getFieldValue('changePlan') ? <ContentFields prefix="plan" /> : null)}
          </Form.Item>
        </FormDialog>
      )}

      <Modal open={typeof dialog === 'object' && dialog !== null} onCancel={close} footer={null} width={760}
        title={typeof dialog === 'object' && dialog !== null ? t('sp.versionOf', { n: dialog.version }) : ''}>
        {oldVersion.data && <div data-testid="sp-old-version"><PlanSteps version={oldVersion.data} /></div>}
      </Modal>
    </Card>
  )
}

/**
 * At the 复学 step of a referral: when the case's safety plan was last reviewed, so the return
 * to school is not assessed on a plan nobody has gone through since the crisis.
 */
export function SafetyPlanReturnReview({ caseId }: { caseId: string | null }) {
  const { t, label, locale } = useI18n()
  const last = useApi<{ planId: string; planStatus?: string; lastReview: Row | null }>(caseId ? routes.caseSafetyPlanLastReview(caseId) : null)
  let text: string
  if (!caseId) text = t('sp.returnNoCase')
  else if (last.error?.status === 404) text = t('sp.returnNoPlan')
  else if (!last.data) return null
  else if (last.data.lastReview) {
    const r = last.data.lastReview
    text = t('sp.reviewLine', { date: formatDate(r.reviewedOn, locale), context: typeof r.contextText === 'string' ? r.contextText : label('sp.context', r.context) })
  } else text = t('sp.noReview')
  return (
    <div style={{ marginBottom: 16 }} data-testid="sp-return-review">
      <Typography.Text strong>{t('sp.returnReview')}：</Typography.Text><span data-testid="sp-return-review-date">{text}</span>
      <div><Typography.Text type="secondary">{t('sp.returnReviewHint')}</Typography.Text></div>
    </div>
  )
}
