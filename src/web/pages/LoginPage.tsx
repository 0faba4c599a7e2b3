import { useState } from 'react'
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { useI18n } from '../i18n'
import { useAuth } from '../api/session'
import { ApiError, completeLogin, sessionExpired } from '../api/client'
import { LanguageSwitch } from '../layout/AppLayout'

/** Only paths inside this app: a crafted ?next= must not send the user elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}

/** The server marks index.html when the demo accounts exist with their public password. */
const demo = typeof document !== 'undefined' && !!document.querySelector('meta[name="xinan-demo"]')

interface Credentials { username: string; password: string }
interface CodeValues { code?: string; recoveryCode?: string }

export default function LoginPage() {
  const { t } = useI18n()
  const { user, login } = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // The password was right and the account has a second factor: the code step, with its challenge.
  const [challenge, setChallenge] = useState<string | null>(null)
  const [useRecovery, setUseRecovery] = useState(false)
  const next = safeNext(params.get('next'))

  if (user) return <Navigate to={next} replace />

  async function submit(values: Credentials) {
    setBusy(true)
    setError(null)
    try {
      const answer = await login(values.username.trim(), values.password)
      if ('challenge' in answer) {
        setChallenge(answer.challenge)
        setUseRecovery(false)
        return
      }
      void navigate(next, { replace: true }) // a promise only under a data router
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  async function submitCode(values: CodeValues) {
    if (!challenge) return
    setBusy(true)
    setError(null)
    try {
      await completeLogin(challenge, useRecovery ? { recoveryCode: (values.recoveryCode ?? '').trim() } : { code: (values.code ?? '').replace(/\s+/g, '') })
      void navigate(next, { replace: true })
    } catch (e) {
      // An expired challenge or too many tries: back to the password.
      if (e instanceof ApiError && (e.status === 401 || e.code === 'second_factor_sign_in_again')) setChallenge(null)
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="xa-login" id="main">
      <div className="xa-login-lang"><LanguageSwitch /></div>
      <Card className="xa-login-card">
        <div className="xa-login-brand">
          <span className="xa-logo xa-logo-lg" aria-hidden>心</span>
          <div>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 26 }}>{t('app.name')}</Typography.Title>
            <Typography.Text type="secondary">{t('app.subtitle')}</Typography.Text>
          </div>
        </div>
        <Typography.Title level={2} style={{ fontSize: 18 }}>{t(challenge ? 'tfa.loginTitle' : 'login.title')}</Typography.Title>
        {(params.get('expired') || sessionExpired()) && !error && <Alert type="warning" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        {challenge ? (
          <Form<CodeValues> key={useRecovery ? 'recovery' : 'code'} layout="vertical" onFinish={(v) => void submitCode(v)} requiredMark={false} disabled={busy} data-testid="login-second-step">
            <Typography.Paragraph>{t(useRecovery ? 'tfa.loginRecoveryHelp' : 'tfa.loginHelp')}</Typography.Paragraph>
            {useRecovery
              ? (
                <Form.Item name="recoveryCode" label={t('tfa.recoveryCode')} rules={[{ required: true, message: t('login.required', { field: t('tfa.recoveryCode') }) }]}>
                  <Input prefix={<SafetyOutlined aria-hidden />} autoComplete="off" autoFocus size="large" />
                </Form.Item>
              )
              : (
                <Form.Item name="code" label={t('tfa.code')} rules={[{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: t('tfa.codeInvalid') }]}>
                  <Input prefix={<SafetyOutlined aria-hidden />} inputMode="numeric" autoComplete="one-time-code" maxLength={7} autoFocus size="large" placeholder={t('tfa.codePlaceholder')} />
                </Form.Item>
              )}
            <Button type="primary" htmlType="submit" block size="large" loading={busy}>{t('tfa.verify')}</Button>
            <Button type="link" block onClick={() => { setUseRecovery((r) => !r); setError(null) }}>{t(useRecovery ? 'tfa.useCode' : 'tfa.useRecovery')}</Button>
            <Button type="link" block onClick={() => { setChallenge(null); setError(null) }}>{t('tfa.back')}</Button>
          </Form>
        ) : (
        <Form<Credentials> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.required', { field: t('login.username') }) }]}>
            <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}>
            <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>{t('login.submit')}</Button>
        </Form>
        )}
        {demo && <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }} data-testid="demo-hint">{t("login.demoHint")}</Typography.Paragraph>}
      </Card>
    </main>
  )
}
