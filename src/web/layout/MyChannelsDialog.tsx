import { useState } from 'react'
import { Alert, App, Button, Form, Input, Modal, Space, Switch, Typography } from 'antd'
import { useI18n } from '../i18n'
import { useApi } from '../api/hooks'
import { api, type ApiError } from '../api/client'
import { routes } from '../api/routes'
import { Section } from '../components/common'
import { asApiError, WriteError } from '../components/forms'
import { testReason, type TestResult } from '../pages/admin/channel-result'

interface Mine { email: string | null; mobile: string | null; emailEnabled: boolean; smsEnabled: boolean; schoolEmail: boolean; schoolSms: boolean }

/** 通知设置: a teacher's own e-mail address and mobile for urgent alerts, and which are on. Nobody else reads them. */
export default function MyChannelsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  return (
    <Modal open={open} title={t('myChannels.title')} onCancel={onClose} footer={null} destroyOnHidden width={560} data-testid="my-channels-dialog">
      {open && <MyChannels />}
    </Modal>
  )
}

function MyChannels() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const mine = useApi<Mine>(routes.myChannels)
  const [error, setError] = useState<ApiError | null>(null)
  const [result, setResult] = useState<TestResult | null>(null)
  const [busy, setBusy] = useState(false)

  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      return await work()
    } catch (e) {
      setError(asApiError(e))
      return undefined
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Paragraph type="secondary">{t('myChannels.help')}</Typography.Paragraph>
      <Section loaded={mine}>
        {(m) => (
          <Form layout="vertical" initialValues={{ email: m.email ?? '', mobile: m.mobile ?? '', emailEnabled: m.emailEnabled, smsEnabled: m.smsEnabled }}
            onFinish={(v: { email: string; mobile: string; emailEnabled: boolean; smsEnabled: boolean }) => void run(async () => {
              await api(routes.myChannels, { method: 'PUT', body: { email: v.email.trim(), mobile: v.mobile.trim(), emailEnabled: v.emailEnabled, smsEnabled: v.smsEnabled } })
              message.success(t('channels.saved'))
              mine.reload()
            })}>
            <Form.Item name="email" label={t('myChannels.email')}><Input type="email" autoComplete="email" /></Form.Item>
            <Form.Item name="emailEnabled" label={t('myChannels.emailEnabled')} valuePropName="checked" extra={m.schoolEmail ? undefined : t('myChannels.schoolOff')}><Switch /></Form.Item>
            <Form.Item name="mobile" label={t('myChannels.mobile')}><Input autoComplete="tel" inputMode="tel" /></Form.Item>
            <Form.Item name="smsEnabled" label={t('myChannels.smsEnabled')} valuePropName="checked" extra={m.schoolSms ? undefined : t('myChannels.schoolOff')}><Switch /></Form.Item>
            {error && <WriteError error={error} />}
            {result && (result.ok
              ? <Alert type="success" showIcon title={t('channels.testOk')} data-testid="my-test-result" />
              : <Alert type="warning" showIcon title={t('channels.testFailed', { reason: testReason(t, result) })} data-testid="my-test-result" />)}
            <Space wrap style={{ marginTop: 12 }}>
              <Button type="primary" htmlType="submit" disabled={busy} data-testid="save-my-channels">{t('channels.save')}</Button>
              {(['email', 'sms'] as const).map((channel) => (
                <Button key={channel} disabled={busy} data-testid={`my-test-${channel}`}
                  onClick={() => void run(async () => setResult(await api<TestResult>(routes.myChannelsTest, { method: 'POST', body: { channel } })))}>
                  {channel === 'email' ? t('myChannels.testEmail') : t('myChannels.testSms')}
                </Button>
              ))}
            </Space>
          </Form>
        )}
      </Section>
    </div>
  )
}
