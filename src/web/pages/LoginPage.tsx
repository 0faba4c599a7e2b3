import { useState } from 'react'
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { LockOutlined, UserOutlined } from '@ant-design/icons'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { useI18n } from '../i18n'
import { useAuth } from '../api/session'
import { ApiError, sessionExpired } from '../api/client'
import { LanguageSwitch } from '../layout/AppLayout'

/** Only paths inside this app: a crafted ?next= must not send the user elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}

/** The server marks index.html when the demo accounts exist with their public password. */
const demo = typeof document !== 'undefined' && !!document.querySelector('meta[name="xinan-demo"]')

interface Credentials { username: string; password: string }

export default function LoginPage() {
  const { t } = useI18n()
  const { user, login } = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const next = safeNext(params.get('next'))

  if (user) return <Navigate to={next} replace />

  async function submit(values: Credentials) {
    setBusy(true)
    setError(null)
    try {
      await login(values.username.trim(), values.password)
      void navigate(next, { replace: true }) // a promise only under a data router
    } catch (e) {
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
        <Typography.Title level={2} style={{ fontSize: 18 }}>{t('login.title')}</Typography.Title>
        {(params.get('expired') || sessionExpired()) && !error && <Alert type="warning" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form<Credentials> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.required', { field: t('login.username') }) }]}>
            <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}>
            <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>{t('login.submit')}</Button>
        </Form>
        {demo && <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }} data-testid="demo-hint">{t("login.demoHint")}</Typography.Paragraph>}
      </Card>
    </main>
  )
}
