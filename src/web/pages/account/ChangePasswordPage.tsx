import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, Typography } from 'antd'
import { LockOutlined } from '@ant-design/icons'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useAuth } from '../../api/session'
import { api, setSession, type ApiError, type TokenPair } from '../../api/client'
import { routes } from '../../api/routes'
import { asApiError, useRequired, WriteError } from '../../components/forms'
import { LanguageSwitch } from '../../layout/AppLayout'

interface Values { currentPassword: string; newPassword: string; repeat: string }

/** Only paths inside this app, as on the sign-in page. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') && !next.startsWith('/change-password') ? next : '/'
}

/**
 * The first screen after signing in with a password someone else set (a new account, an
 * admin's reset): the server answers nothing else until it is replaced. The change ends every
 * login of the account and answers with a fresh pair, which becomes this tab's session.
 */
export default function ChangePasswordPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const { user, logout } = useAuth()
  const required = useRequired()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const next = safeNext(params.get('next'))

  if (user && !user.mustChangePassword) return <Navigate to={next} replace />

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    try {
      const pair = await api<TokenPair>(routes.password, { method: 'POST', body: { currentPassword: v.currentPassword, newPassword: v.newPassword } })
      setSession(pair)
      message.success(t('account.forcedDone'))
      void navigate(next, { replace: true }) // a promise only under a data router
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="xa-login" id="main" data-testid="forced-password">
      <div className="xa-login-lang"><LanguageSwitch /></div>
      <Card className="xa-login-card">
        <div className="xa-login-brand">
          <span className="xa-logo xa-logo-lg" aria-hidden>心</span>
          <div>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 22 }}>{t('account.forcedTitle')}</Typography.Title>
            <Typography.Text type="secondary">{user?.displayName}</Typography.Text>
          </div>
        </div>
        <Alert type="info" showIcon title={t('account.forcedHelp')} style={{ marginBottom: 16 }} />
        <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy}>
          <Form.Item name="currentPassword" label={t('account.forcedCurrent')} rules={required(t('account.forcedCurrent'))}>
            <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item name="newPassword" label={t('password.new')} extra={t('account.passwordRule')} rules={required(t('password.new'))}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="repeat" label={t('password.repeat')} dependencies={['newPassword']}
            rules={[...required(t('password.repeat')), ({ getFieldValue }) => ({
              validator: (_: unknown, value: string) => (!value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
            })]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
          <Button type="primary" htmlType="submit" block loading={busy}>{t('account.forcedSubmit')}</Button>
        </Form>
        <Button type="link" block style={{ marginTop: 8 }} onClick={() => void logout()}>{t('nav.logout')}</Button>
      </Card>
    </main>
  )
}
