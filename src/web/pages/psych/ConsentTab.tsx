import { useState } from 'react'
import { Alert, App, Button, Form, Modal, Select, Space, Table, Tag, Typography } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import { asText, formatDateTime } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, ApiError } from '../../api/client'
import { routes } from '../../api/routes'
import { ApiProblem, Section } from '../../components/common'
import type { Row } from '../../components/records'

const GUARDIAN = ['given', 'refused', 'not_returned'] as const
const ASSENT = ['given', 'refused', 'not_asked'] as const

/** Whether an instrument's Chinese wording still awaits clinical review (the definition says so). */
export function pendingReview(instrument: Row): boolean {
  const def = instrument.definition as { translation?: { 'zh-CN'?: string } } | undefined
  return def?.translation?.['zh-CN'] === 'pending_clinical_review'
}

export interface ConsentRow {
  studentId: string
  studentNo?: string
  name?: string
  guardianConsent: string
  studentAssent: string
  guardianRecordedAt: string | null
  assentRecordedAt: string | null
  consentOk: boolean
  screened: boolean
}
export interface ConsentRoster { campaignId: string; classId: string; className?: string; consentRequired: boolean; items: ConsentRow[] }

/** The two choices of a consent change; "leave as is" sends nothing for that state. */
function StateSelects({ guardian, assent, onGuardian, onAssent, testId }: {
  guardian: string | undefined; assent: string | undefined; onGuardian: (v: string | undefined) => void; onAssent: (v: string | undefined) => void; testId: string
}) {
  const { t, label } = useI18n()
  const keep = { value: '', label: t('consent.keep') }
  return (
    <Space wrap>
      <label>{t('consent.setGuardian')}
        <Select style={{ minWidth: 120, marginInlineStart: 8 }} value={guardian ?? ''} data-testid={`${testId}-guardian`} aria-label={t('consent.setGuardian')}
          onChange={(v) => onGuardian(v || undefined)}
          options={[keep, ...GUARDIAN.map((g) => ({ value: g, label: label('consentState.guardian', g) }))]} />
      </label>
      <label>{t('consent.setAssent')}
        <Select style={{ minWidth: 120, marginInlineStart: 8 }} value={assent ?? ''} data-testid={`${testId}-assent`} aria-label={t('consent.setAssent')}
          onChange={(v) => onAssent(v || undefined)}
          options={[keep, ...ASSENT.map((a) => ({ value: a, label: label('consentState.assent', a) }))]} />
      </label>
    </Space>
  )
}

/** 单个修改: one student's slip and own wish. */
function EditConsent({ campaignId, row, onClose, onDone }: { campaignId: string; row: ConsentRow; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const [guardian, setGuardian] = useState<string | undefined>(row.guardianConsent)
  const [assent, setAssent] = useState<string | undefined>(row.studentAssent)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  async function save() {
    setBusy(true)
    setError(null)
    try {
      await api(routes.campaignConsent(campaignId, row.studentId), { method: 'PUT', body: { ...(guardian ? { guardianConsent: guardian } : {}), ...(assent ? { studentAssent: assent } : {}) } })
      onDone()
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal open title={t('consent.editTitle', { name: row.name ?? row.studentNo ?? '' })} onCancel={onClose} onOk={() => void save()} confirmLoading={busy}
      okText={t('common.save')} cancelText={t('common.cancel')} okButtonProps={{ disabled: !guardian && !assent }} data-testid="consent-edit">
      <Form layout="vertical">
        <StateSelects guardian={guardian} assent={assent} onGuardian={setGuardian} onAssent={setAssent} testId="consent-edit" />
      </Form>
      {error && <ApiProblem error={error} />}
    </Modal>
  )
}

/**
 * 知情同意 of one campaign: a class chosen from the campaign's classes, its enrolled students
 * with their guardian's consent and their own wish, a bulk change for the selected students
 * (one request, one transaction), a single edit per row, and the class's printable letters.
 */
export function ConsentTab({ campaignId, classes, onChanged }: { campaignId: string; classes: Row[]; onChanged: () => void }) {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const [classId, setClassId] = useState<string | undefined>(classes[0] ? asText(classes[0].classId) : undefined)
  const roster = useApi<ConsentRoster>(classId ? routes.campaignConsents(campaignId) : null, classId ? { classId } : undefined)
  const [selected, setSelected] = useState<string[]>([])
  const [guardian, setGuardian] = useState<string | undefined>('given')
  const [assent, setAssent] = useState<string | undefined>(undefined)
  const [editing, setEditing] = useState<ConsentRow | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  async function applyBulk() {
    if (!guardian && !assent) { void message.warning(t('consent.needOne')); return }
    setBusy(true)
    setError(null)
    try {
      const r = await api<{ created: number; updated: number }>(routes.campaignConsentsBulk(campaignId), {
        method: 'POST', body: { studentIds: selected, ...(guardian ? { guardianConsent: guardian } : {}), ...(assent ? { studentAssent: assent } : {}) },
      })
      void message.success(t('consent.saved', { n: r.created + r.updated }))
      setSelected([])
      roster.reload()
      onChanged()
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)))
    } finally {
      setBusy(false)
    }
  }

  const stateTag = (prefix: string, v: string) => (
    <Tag color={v === 'given' ? 'green' : v === 'refused' ? 'red' : 'default'}>{label(prefix, v)}</Tag>
  )
  return (
    <div className="xa-stack" data-testid="consent-tab">
      <Typography.Paragraph type="secondary">{t('consent.help')}</Typography.Paragraph>
      <Space wrap>
        <label>{t('consent.class')}
          <Select style={{ minWidth: 180, marginInlineStart: 8 }} value={classId} placeholder={t('consent.chooseClass')} aria-label={t('consent.class')} data-testid="consent-class"
            onChange={(v: string) => { setClassId(v); setSelected([]) }}
            options={classes.map((c) => ({ value: asText(c.classId), label: asText(c.className, t('consent.class')) }))} />
        </label>
        {classId && (
          // The same tab: the sign-in lives in this tab's session storage, which a new tab would not have.
          <Link to={`/campaigns/${campaignId}/consent-letters?classId=${classId}`} data-testid="consent-print">
            <PrinterOutlined aria-hidden /> {t('consent.print')}
          </Link>
        )}
      </Space>
      {roster.error ? <ApiProblem error={roster.error} /> : classId && (
        <Section loaded={roster}>
          {(r) => {
            const counts = {
              given: r.items.filter((i) => i.consentOk).length,
              notGiven: r.items.filter((i) => !i.consentOk).length,
              refused: r.items.filter((i) => i.guardianConsent === 'refused').length,
              notReturned: r.items.filter((i) => i.guardianConsent === 'not_returned').length,
            }
            return (
              <div className="xa-stack">
                {!r.consentRequired && <Alert type="info" showIcon title={t('consent.notRequired')} />}
                <Typography.Text data-testid="consent-counts">{t('consent.counts', counts)}</Typography.Text>
                <Space wrap className="xa-bulk" data-testid="consent-bulk">
                  <Typography.Text>{t('consent.selected', { n: selected.length })}</Typography.Text>
                  <StateSelects guardian={guardian} assent={assent} onGuardian={setGuardian} onAssent={setAssent} testId="consent-bulk" />
                  <Button type="primary" disabled={selected.length === 0} loading={busy} onClick={() => void applyBulk()} data-testid="consent-apply">{t('consent.applySelected')}</Button>
                </Space>
                {error && <ApiProblem error={error} />}
                <Table<ConsentRow> size="small" data-testid="consent-list" rowKey="studentId" dataSource={r.items}
                  pagination={r.items.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
                  rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
                  columns={[
                    { key: 'studentNo', dataIndex: 'studentNo', title: t('consent.studentNo') },
                    { key: 'name', dataIndex: 'name', title: t('consent.name') },
                    { key: 'guardian', title: t('consent.guardian'), render: (_: unknown, row) => stateTag('consentState.guardian', row.guardianConsent) },
                    { key: 'assent', title: t('consent.assent'), render: (_: unknown, row) => stateTag('consentState.assent', row.studentAssent) },
                    {
                      key: 'recordedAt', title: t('consent.recordedAt'),
                      render: (_: unknown, row) => (row.guardianRecordedAt ? formatDateTime(row.guardianRecordedAt, locale) : '—'),
                    },
                    { key: 'ok', title: t('consent.ok'), render: (_: unknown, row) => (row.consentOk ? t('common.yes') : t('common.no')) },
                    { key: 'screened', title: t('consent.screened'), render: (_: unknown, row) => (row.screened ? t('common.yes') : t('common.no')) },
                    {
                      key: 'actions', title: t('common.actions'),
                      render: (_: unknown, row) => <Button size="small" data-testid="consent-edit-open" onClick={() => setEditing(row)}>{t('consent.edit')}</Button>,
                    },
                  ]} />
              </div>
            )
          }}
        </Section>
      )}
      {editing && (
        <EditConsent campaignId={campaignId} row={editing} onClose={() => setEditing(null)}
          onDone={() => { setEditing(null); roster.reload(); onChanged() }} />
      )}
    </div>
  )
}
