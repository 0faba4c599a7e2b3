import { useState } from 'react'
import { App, Button, Card, Descriptions, Empty, Input, Modal, Space, Table, Tabs, Tag, Typography } from 'antd'
import { Link, useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { api, ApiError, type Page } from '../../api/client'
import { useApi } from '../../api/hooks'
import { formatDate, RiskTag, Section } from '../../components/common'
import { asApiError, WriteError } from '../../components/forms'
import type { Row } from '../../components/records'
import { OpenCaseDialog } from './OpenCaseDialog'

interface Content {
  pupil?: { name?: string; gender?: string; birthDate?: string | null; nationalId?: string }
  openRisk?: { caseRisk: string | null; caseOpenedOn: string | null; careListRisk: string | null; careListSince: string | null }
  safetyPlan?: { version: number; savedOn: string; steps: Record<string, string[]> } | null
  referrals?: Array<{ institution: string; date: string; state: string }>
  summary?: string | null
}
type Transfer = Row & { id: string; status: string; parts: string[]; nationalId: string; content?: Content }

const STATUS_COLOURS: Record<string, string> = { draft: 'default', sent: 'blue', viewed: 'cyan', accepted: 'green', declined: 'red', cancelled: 'default' }

/** What a package holds, in words: only the parts it carries. */
export function TransferContentView({ item }: { item: Transfer }) {
  const { t, label, locale } = useI18n()
  const c = item.content ?? {}
  const day = (v: unknown) => (v ? formatDate(v, locale) : t('tr.risk.none'))
  return (
    <div className="xa-stack" data-testid="transfer-content">
      {c.pupil && (
        <Descriptions size="small" column={2} bordered title={t('tr.pupil')} items={[
          { key: 'name', label: t('field.name'), children: c.pupil.name ?? '—' },
          { key: 'nid', label: t('tr.nationalId'), children: c.pupil.nationalId ?? '—' },
          { key: 'gender', label: t('field.gender'), children: label('gender', c.pupil.gender) },
          { key: 'birth', label: t('field.birthDate'), children: c.pupil.birthDate ? formatDate(c.pupil.birthDate, locale) : '—' },
        ]} />
      )}
      {typeof item.consentGuardian === 'string' && (
        <Typography.Paragraph>{t('tr.consent')}：{t('tr.consentLine', { guardian: item.consentGuardian, method: label('consentMethod', item.consentMethod), date: formatDate(item.consentDate, locale) })}</Typography.Paragraph>
      )}
      {c.openRisk && (
        <Descriptions size="small" column={2} bordered title={label('transferPart', 'open_risk')} items={[
          { key: 'case', label: t('tr.risk.case'), children: c.openRisk.caseRisk ? <RiskTag level={c.openRisk.caseRisk} /> : t('tr.risk.none') },
          { key: 'caseSince', label: t('tr.risk.caseSince'), children: day(c.openRisk.caseOpenedOn) },
          { key: 'care', label: t('tr.risk.care'), children: c.openRisk.careListRisk ? <RiskTag level={c.openRisk.careListRisk} /> : t('tr.risk.none') },
          { key: 'careSince', label: t('tr.risk.careSince'), children: day(c.openRisk.careListSince) },
        ]} />
      )}
      {c.safetyPlan !== undefined && (
        c.safetyPlan
          ? <Card size="small" title={t('tr.plan', { version: c.safetyPlan.version, date: formatDate(c.safetyPlan.savedOn, locale) })}>
            {Object.entries(c.safetyPlan.steps).map(([k, items]) => (
              <div key={k}><strong>{t(`tr.step.${k}` as 'tr.step.warningSigns')}</strong>：{items.length ? items.join('；') : '—'}</div>
            ))}
          </Card>
          : <Typography.Paragraph>{t('tr.noPlan')}</Typography.Paragraph>
      )}
      {c.referrals && (
        <Card size="small" title={t('tr.referrals')}>
          {c.referrals.length === 0 ? t('tr.noReferrals') : (
            <Table size="small" pagination={false} rowKey={(r) => `${r.institution}${r.date}`} dataSource={c.referrals} columns={[
              { key: 'i', title: t('tr.ref.institution'), dataIndex: 'institution' },
              { key: 'd', title: t('tr.ref.date'), dataIndex: 'date', render: (v: string) => formatDate(v, locale) },
              { key: 's', title: t('tr.ref.state'), dataIndex: 'state', render: (v: string) => label('referralState', v) },
            ]} />
          )}
        </Card>
      )}
      {c.summary !== undefined && (
        <Card size="small" title={t('tr.summary')}><Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{c.summary ?? '—'}</Typography.Paragraph></Card>
      )}
    </div>
  )
}

/** The receiving side: open (marks viewed), accept or decline; once accepted the content and the next steps. */
function ReceivedDialog({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: () => void }) {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const [item, setItem] = useState<Transfer | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const [declining, setDeclining] = useState(false)
  const [reason, setReason] = useState('')
  const [opening, setOpening] = useState(false)
  const [loaded, setLoaded] = useState(false)
  if (!loaded) {
    setLoaded(true)
    void api<Transfer>(`/received-transfers/${id}/open`, { method: 'POST' }).then((r) => { setItem(r); onChanged() }).catch((e: unknown) => setError(asApiError(e)))
  }
  const act = async (path: string, body?: unknown, done?: string) => {
    setBusy(true)
    setError(null)
    try {
      const r = await api<Transfer>(`/received-transfers/${id}/${path}`, { method: 'POST', ...(body ? { body } : {}) })
      setItem(r)
      setDeclining(false)
      if (done) message.success(done)
      onChanged()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }
  const awaiting = item && (item.status === 'sent' || item.status === 'viewed')
  const received = typeof item?.receivedStudentId === 'string' ? item.receivedStudentId : null
  const risk = item?.content?.openRisk?.caseRisk ?? item?.content?.openRisk?.careListRisk ?? undefined
  return (
    <Modal open title={t('tr.receivedTab')} onCancel={onClose} footer={null} width={760} destroyOnHidden>
      <div className="xa-stack" data-testid="received-dialog">
        {item && (
          <Descriptions size="small" column={2} items={[
            { key: 'nid', label: t('tr.nationalId'), children: item.nationalId },
            { key: 'from', label: t('tr.fromSchool'), children: asText(item.fromSchoolName) },
            { key: 'sent', label: t('tr.sentAt'), children: formatDate(item.sentAt, locale) },
            { key: 'status', label: t('tr.status'), children: <Tag color={STATUS_COLOURS[item.status]} data-testid="received-status">{label('transferStatus', item.status)}</Tag> },
            { key: 'parts', label: t('tr.parts'), span: 2, children: item.parts.map((p) => label('transferPart', p)).join('、') },
            ...(item.status === 'declined' ? [{ key: 'reason', label: t('tr.declineReason'), span: 2, children: asText(item.declineReason) }] : []),
          ]} />
        )}
        {item && item.status !== 'accepted' && <Typography.Paragraph type="secondary">{t('tr.noContentYet')}</Typography.Paragraph>}
        {item?.status === 'accepted' && <TransferContentView item={item} />}
        {error && <WriteError error={error} />}
        {awaiting && !declining && (
          <Space>
            <Button type="primary" loading={busy} data-testid="transfer-accept" onClick={() => void act('accept', undefined, t('tr.accepted'))}>{t('tr.accept')}</Button>
            <Button danger disabled={busy} data-testid="transfer-decline" onClick={() => setDeclining(true)}>{t('tr.decline')}</Button>
          </Space>
        )}
        {awaiting && declining && (
          <Space.Compact style={{ width: '100%' }}>
            <Input aria-label={t('tr.declineReason')} placeholder={t('tr.declineReason')} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="decline-reason" />
            <Button danger type="primary" loading={busy} disabled={!reason.trim()} onClick={() => void act('decline', { declineReason: reason.trim() }, t('tr.declined'))}>{t('tr.decline')}</Button>
          </Space.Compact>
        )}
        {item?.status === 'accepted' && received && (
          <Space wrap>
            <Link to={`/students/${received}`}><Button data-testid="transfer-open-student">{t('tr.openStudent')}</Button></Link>
            {(item.parts.includes('open_risk') || item.parts.includes('safety_plan')) && (
              <Button type="primary" onClick={() => setOpening(true)} data-testid="transfer-open-case">{t('tr.openCase')}</Button>
            )}
            <OpenCaseDialog studentId={received} open={opening} onClose={() => setOpening(false)} initial={{ source: 'other', ...(risk ? { riskLevel: risk } : {}) }} />
          </Space>
        )}
      </div>
    </Modal>
  )
}

/** The sending side's view of one package: its content until the receiving school accepted it. */
function SentDialog({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: () => void }) {
  const { t, label, locale } = useI18n()
  const item = useApi<Transfer>(`/transfers/${id}`)
  const [error, setError] = useState<ApiError | null>(null)
  const act = async (path: string) => {
    setError(null)
    try {
      await api(`/transfers/${id}/${path}`, { method: 'POST' })
      item.reload()
      onChanged()
    } catch (e) {
      setError(asApiError(e))
    }
  }
  return (
    <Modal open title={t('tr.sentTab')} onCancel={onClose} footer={null} width={760} destroyOnHidden>
      {item.error?.status === 404 ? <Typography.Paragraph>{t('tr.noContentAfter')}</Typography.Paragraph> : (
        <Section loaded={item}>
          {(it) => (
            <div className="xa-stack" data-testid="sent-dialog">
              <Descriptions size="small" column={2} items={[
                { key: 'nid', label: t('tr.nationalId'), children: it.nationalId },
                { key: 'to', label: t('tr.toSchool'), children: asText(it.toSchoolName) },
                { key: 'status', label: t('tr.status'), children: <Tag color={STATUS_COLOURS[it.status]}>{label('transferStatus', it.status)}</Tag> },
                { key: 'sent', label: t('tr.sentAt'), children: it.sentAt ? formatDate(it.sentAt, locale) : '—' },
                ...(it.status === 'declined' ? [{ key: 'reason', label: t('tr.declineReason'), span: 2, children: asText(it.declineReason) }] : []),
              ]} />
              <TransferContentView item={it} />
              {error && <WriteError error={error} />}
              <Space>
                {it.status === 'draft' && <Button type="primary" onClick={() => void act('send')}>{t('tr.send')}</Button>}
                {['draft', 'sent', 'viewed'].includes(it.status) && (
                  <Button danger onClick={() => Modal.confirm({ title: t('tr.cancelConfirm'), onOk: () => act('cancel') })}>{t('tr.cancel')}</Button>
                )}
              </Space>
            </div>
          )}
        </Section>
      )}
    </Modal>
  )
}

/** 转学档案: packages this school sent and packages sent to it, with their states in words. */
export default function TransfersPage() {
  const { t, label, locale } = useI18n()
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'received' ? 'received' : 'sent'
  const sent = useApi<Page<Transfer>>(tab === 'sent' ? '/transfers' : null, { limit: 200 })
  const received = useApi<Page<Transfer>>(tab === 'received' ? '/received-transfers' : null, { limit: 200 })
  const [openSent, setOpenSent] = useState<string | null>(null)
  const [openReceived, setOpenReceived] = useState<string | null>(null)
  const status = (v: string) => <Tag color={STATUS_COLOURS[v]}>{label('transferStatus', v)}</Tag>
  const parts = (v: string[]) => v.map((p) => label('transferPart', p)).join('、')
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('tr.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('tr.help')}</Typography.Paragraph>
      <Tabs activeKey={tab} onChange={(k) => setParams(k === 'received' ? { tab: 'received' } : {})} items={[
        {
          key: 'sent', label: t('tr.sentTab'),
          children: (
            <Section loaded={sent}>
              {(p) => p.items.length === 0 ? <Empty description={t('tr.empty')} /> : (
                <Table<Transfer> size="small" rowKey="id" dataSource={p.items} pagination={false} data-testid="sent-transfers" columns={[
                  { key: 'nid', title: t('tr.nationalId'), dataIndex: 'nationalId' },
                  { key: 'to', title: t('tr.toSchool'), dataIndex: 'toSchoolName' },
                  { key: 'created', title: t('tr.createdAt'), dataIndex: 'createdAt', render: (v) => formatDate(v, locale) },
                  { key: 'sent', title: t('tr.sentAt'), dataIndex: 'sentAt', render: (v) => (v ? formatDate(v, locale) : '—') },
                  { key: 'parts', title: t('tr.parts'), dataIndex: 'parts', render: parts },
                  { key: 'status', title: t('tr.status'), dataIndex: 'status', render: status },
                  { key: 'open', title: '', render: (_, r) => (r.status === 'accepted' ? null : <Button size="small" onClick={() => setOpenSent(r.id)}>{t('tr.open')}</Button>) },
                ]} />
              )}
            </Section>
          ),
        },
        {
          key: 'received', label: t('tr.receivedTab'),
          children: (
            <Section loaded={received}>
              {(p) => p.items.length === 0 ? <Empty description={t('tr.empty')} /> : (
                <Table<Transfer> size="small" rowKey="id" dataSource={p.items} pagination={false} data-testid="received-transfers" columns={[
                  { key: 'nid', title: t('tr.nationalId'), dataIndex: 'nationalId' },
                  { key: 'from', title: t('tr.fromSchool'), dataIndex: 'fromSchoolName' },
                  { key: 'sent', title: t('tr.sentAt'), dataIndex: 'sentAt', render: (v) => formatDate(v, locale) },
                  { key: 'parts', title: t('tr.parts'), dataIndex: 'parts', render: parts },
                  { key: 'status', title: t('tr.status'), dataIndex: 'status', render: status },
                  { key: 'open', title: '', render: (_, r) => <Button size="small" data-testid="received-open" onClick={() => setOpenReceived(r.id)}>{t('tr.open')}</Button> },
                ]} />
              )}
            </Section>
          ),
        },
      ]} />
      {openSent && <SentDialog id={openSent} onClose={() => setOpenSent(null)} onChanged={sent.reload} />}
      {openReceived && <ReceivedDialog id={openReceived} onClose={() => setOpenReceived(null)} onChanged={received.reload} />}
    </div>
  )
}
