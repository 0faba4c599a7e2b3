import { useEffect, useState } from 'react'
import { Alert, App, Button, Card, Form, Input, List, Space, Tag, Typography } from 'antd'
import { DownloadOutlined, PrinterOutlined, SafetyOutlined } from '@ant-design/icons'
import QRCode from 'qrcode'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useAuth } from '../../api/session'
import { api, saveBlob, showHtml, updateUser, type ApiError, type PublicUser } from '../../api/client'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { asApiError, Popconfirm, WriteError } from '../../components/forms'
import { LanguageSwitch } from '../../layout/AppLayout'

interface Status { enabled: boolean; enabledAt: string | null; required: boolean; recoveryCodesLeft: number }
interface Enrolment { secret: string; otpauthUri: string }

/** The key in groups of four, as authenticator apps print it. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim()

/** Only paths inside this app, as on the sign-in page. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') && !next.startsWith('/second-factor-setup') ? next : '/'
}

/** The recovery codes, shown once: listed, and to download as a text file or print. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n()
  const { user } = useAuth()
  const text = [t('tfa.fileTitle'), t('tfa.fileAccount', { username: user?.username ?? '' }), t('tfa.fileNote'), '', ...codes].join('\r\n')
  function download() {
    saveBlob(new Blob([text], { type: 'text/plain;charset=utf-8' }), 'xinan-recovery-codes.txt')
  }
  function print() {
    const w = window.open('', '_blank')
    if (!w) return
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
    const html = `<!doctype html><meta charset="utf-8"><title>${esc(t('tfa.fileTitle'))}</title><body style="font-family:sans-serif">`
      + `<h1 style="font-size:18px">${esc(t('tfa.fileTitle'))}</h1><p>${esc(t('tfa.fileAccount', { username: user?.username ?? '' }))}</p><p>${esc(t('tfa.fileNote'))}</p>`
      + `<ol style="font-family:monospace;font-size:16px;line-height:1.8">${codes.map((c) => `<li>${esc(c)}</li>`).join('')}</ol></body>`
    showHtml(w, html)
  }
  return (
    <Card size="small" title={t('tfa.recoveryTitle')} data-testid="recovery-codes">
      <Alert type="warning" showIcon title={t('tfa.recoveryHelp')} style={{ marginBottom: 12 }} />
      <List size="small" bordered dataSource={codes} style={{ maxWidth: 320, marginBottom: 12 }}
        renderItem={(c) => <List.Item><Typography.Text code copyable>{c}</Typography.Text></List.Item>} />
      <Space wrap>
        <Button icon={<DownloadOutlined aria-hidden />} onClick={download}>{t('tfa.download')}</Button>
        <Button icon={<PrinterOutlined aria-hidden />} onClick={print}>{t('tfa.print')}</Button>
        <Button type="primary" onClick={onDone} data-testid="codes-saved">{t('tfa.saved')}</Button>
      </Space>
    </Card>
  )
}

/**
 * Setting up the authenticator app: a new secret as a QR code (drawn here from the otpauth://
 * address; nothing leaves the browser) and as text to type in, confirmed by a first code.
 */
function Enrol({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const { t } = useI18n()
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null)
  const [qr, setQr] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  useEffect(() => {
    if (!enrolment) return
    let live = true
    QRCode.toDataURL(enrolment.otpauthUri, { margin: 1, width: 200, errorCorrectionLevel: 'M' }).then((url) => { if (live) setQr(url) }, () => setQr(null))
    return () => { live = false }
  }, [enrolment])

  async function start() {
    setBusy(true)
    setError(null)
    try {
      setEnrolment(await api<Enrolment>(routes.secondFactorEnrolment, { method: 'POST' }))
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  async function confirm(v: { code: string }) {
    setBusy(true)
    setError(null)
    try {
      const r = await api<{ recoveryCodes: string[] }>(routes.secondFactorConfirm, { method: 'POST', body: { code: v.code.replace(/\s+/g, '') } })
      onEnabled(r.recoveryCodes)
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  if (!enrolment) {
    return (
      <>
        {error && <div style={{ marginBottom: 12 }}><WriteError error={error} /></div>}
        <Button type="primary" icon={<SafetyOutlined aria-hidden />} onClick={() => void start()} loading={busy} data-testid="tfa-start">{t('tfa.start')}</Button>
      </>
    )
  }
  return (
    <div data-testid="tfa-enrol">
      <Typography.Paragraph strong>{t('tfa.step1')}</Typography.Paragraph>
      {qr && <img src={qr} alt={t('tfa.qrAlt')} width={200} height={200} data-testid="tfa-qr" style={{ display: 'block', marginBottom: 8 }} />}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>{t('tfa.manual')}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: enrolment.secret }}>
        <Typography.Text code data-testid="tfa-secret">{grouped(enrolment.secret)}</Typography.Text>
      </Typography.Paragraph>
      <Typography.Paragraph strong>{t('tfa.step2')}</Typography.Paragraph>
      <Form<{ code: string }> layout="inline" onFinish={(v) => void confirm(v)} disabled={busy} requiredMark={false}>
        <Form.Item name="code" label={t('tfa.code')} rules={[{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: t('tfa.codeInvalid') }]}>
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={7} placeholder={t('tfa.codePlaceholder')} style={{ width: 140 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="tfa-confirm">{t('tfa.confirm')}</Button>
      </Form>
      {error && <div style={{ marginTop: 12 }}><WriteError error={error} /></div>}
    </div>
  )
}

/** The account's second factor: its state, the setup, new recovery codes. */
function SecondFactorPanel({ onEnabled }: { onEnabled?: () => void }) {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const status = useApi<Status>(routes.secondFactor)
  const [codes, setCodes] = useState<string[] | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  async function enabled(recoveryCodes: string[]) {
    setCodes(recoveryCodes)
    message.success(t('tfa.enabled'))
    // The server now lets this login through: the client's idea of the user must follow.
    updateUser(await api<PublicUser>(routes.me))
    status.reload()
  }

  async function regenerate() {
    setError(null)
    try {
      setCodes((await api<{ recoveryCodes: string[] }>(routes.recoveryCodes, { method: 'POST' })).recoveryCodes)
      status.reload()
    } catch (e) {
      setError(asApiError(e))
    }
  }

  if (codes) return <RecoveryCodes codes={codes} onDone={() => { setCodes(null); onEnabled?.() }} />
  return (
    <Section loaded={status}>
      {(s) => (
        <div className="xa-stack" data-testid="tfa-status">
          <Space wrap>
            <Tag color={s.enabled ? 'green' : 'default'}>{t(s.enabled ? 'tfa.statusOn' : 'tfa.statusOff')}</Tag>
            {s.enabled && s.enabledAt && <Typography.Text type="secondary">{t('tfa.since', { date: formatDateTime(s.enabledAt, locale) })}</Typography.Text>}
          </Space>
          <Typography.Paragraph style={{ marginBottom: 0 }}>{t(s.required ? 'tfa.required' : 'tfa.optional')}</Typography.Paragraph>
          {s.enabled
            ? (
              <>
                <Typography.Paragraph style={{ marginBottom: 0 }}>{t('tfa.codesLeft', { n: s.recoveryCodesLeft })}</Typography.Paragraph>
                {error && <WriteError error={error} />}
                <Space wrap>
                  <Popconfirm title={t('tfa.regenerateConfirm')} okText={t('tfa.regenerate')} cancelText={t('common.cancel')} onConfirm={() => regenerate()}>
                    <Button data-testid="tfa-regenerate">{t('tfa.regenerate')}</Button>
                  </Popconfirm>
                </Space>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('tfa.lostPhone')}</Typography.Paragraph>
              </>
            )
            : <Enrol onEnabled={(c) => void enabled(c)} />}
        </div>
      )}
    </Section>
  )
}

/** 账号安全, inside the app (from the header). */
export default function SecondFactorPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('tfa.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('tfa.help')}</Typography.Paragraph>
      <Card size="small"><SecondFactorPanel /></Card>
    </div>
  )
}

/**
 * The first screen after signing in where the school requires a second factor and the account
 * has none: the server answers nothing else until it is set up.
 */
export function ForcedSecondFactorPage() {
  const { t } = useI18n()
  const { user, logout } = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  // Held while the setup runs: once enabled, the recovery codes are shown before leaving.
  const [holding] = useState(!!user?.mustEnrolSecondFactor)
  if (user && !user.mustEnrolSecondFactor && !holding) return <Navigate to={next} replace />
  return (
    <main className="xa-login" id="main" data-testid="forced-second-factor">
      <div className="xa-login-lang"><LanguageSwitch /></div>
      <Card className="xa-login-card" style={{ maxWidth: 560 }}>
        <div className="xa-login-brand">
          <span className="xa-logo xa-logo-lg" aria-hidden>心</span>
          <div>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 22 }}>{t('tfa.forcedTitle')}</Typography.Title>
            <Typography.Text type="secondary">{user?.displayName}</Typography.Text>
          </div>
        </div>
        <Alert type="info" showIcon title={t('tfa.forcedHelp')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph type="secondary">{t('tfa.help')}</Typography.Paragraph>
        <SecondFactorPanel onEnabled={() => { void navigate(next, { replace: true }) }} />
        <Button type="link" block style={{ marginTop: 8 }} onClick={() => void logout()}>{t('nav.logout')}</Button>
      </Card>
    </main>
  )
}
