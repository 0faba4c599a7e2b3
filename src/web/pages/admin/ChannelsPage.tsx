import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Switch, Tag, Typography } from 'antd'
import { useI18n } from '../../i18n'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import { api, type ApiError } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { asApiError, WriteError } from '../../components/forms'
import { testReason, type TestResult } from './channel-result'

type Kind = 'wecom' | 'dingtalk' | 'email' | 'sms'

interface Channel {
  kind: Kind
  enabled: boolean
  host: string | null; port: number | null; secure: boolean | null; user: string | null; sender: string | null; apiKeyHeader: string | null
  urlSet: boolean; signingSecretSet: boolean; passwordSet: boolean; apiKeySet: boolean
  hint: string | null
}

/**
 * 通知渠道 (school admin): the school's group robots, SMTP sender and SMS gateway. Secrets are
 * write-only — the API says only whether each is set (and the end of the URL's host) — so their
 * inputs start empty: left empty a secret is kept, 清除 removes it.
 */
export default function ChannelsPage() {
  const { t } = useI18n()
  const channels = useApi<{ items: Channel[] }>(routes.notificationChannels)
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('channels.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('channels.help')}</Typography.Paragraph>
      <Section loaded={channels}>
        {({ items }) => (
          <div className="xa-stack">
            {items.map((c) => <ChannelCard key={c.kind} channel={c} onSaved={channels.reload} />)}
          </div>
        )}
      </Section>
    </div>
  )
}

function SecretField({ name, label, set, hint, clear, onClear }: { name: string; label: string; set: boolean; hint?: string | null; clear: boolean; onClear: () => void }) {
  const { t } = useI18n()
  const state = clear ? t('channels.secretNotSet') : set ? (hint ? t('channels.secretSetHost', { hint }) : t('channels.secretSet')) : t('channels.secretNotSet')
  return (
    <Form.Item label={label} extra={<Space size={4}><Tag color={set && !clear ? 'green' : undefined}>{state}</Tag>{set && !clear && <Button size="small" type="link" onClick={onClear}>{t('channels.clear')}</Button>}</Space>}>
      <Form.Item name={name} noStyle>
        <Input.Password autoComplete="new-password" placeholder={set && !clear ? t('channels.secretKeep') : ''} aria-label={label} visibilityToggle={false} />
      </Form.Item>
    </Form.Item>
  )
}

function ChannelCard({ channel: c, onSaved }: { channel: Channel; onSaved: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Record<string, unknown>>()
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const [cleared, setCleared] = useState<string[]>([])
  const [result, setResult] = useState<TestResult | null>(null)

  async function save(values: Record<string, unknown>) {
    setBusy(true)
    setError(null)
    const body: Record<string, unknown> = { enabled: values.enabled === true }
    for (const k of ['host', 'user', 'sender', 'apiKeyHeader']) if (values[k] !== undefined) body[k] = values[k] ?? ''
    if (c.kind === 'email') { body.port = values.port ?? undefined; body.secure = values.secure === true }
    for (const k of ['url', 'signingSecret', 'password', 'apiKey']) {
      if (cleared.includes(k)) body[k] = ''
      else if (typeof values[k] === 'string' && values[k] !== '') body[k] = values[k]
    }
    try {
      await api(routes.notificationChannel(c.kind), { method: 'PUT', body })
      message.success(t('channels.saved'))
      setCleared([])
      form.setFieldsValue({ url: undefined, signingSecret: undefined, password: undefined, apiKey: undefined })
      onSaved()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  async function test() {
    setBusy(true)
    setResult(null)
    setError(null)
    try {
      setResult(await api<TestResult>(routes.notificationChannelTest(c.kind), { method: 'POST' }))
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  const clear = (k: string) => setCleared((xs) => [...xs, k])
  const title = t(`channels.kind.${c.kind}` as MessageKey)
  return (
    <Card title={title} data-testid={`channel-${c.kind}`} extra={<Tag color={c.enabled ? 'green' : undefined}>{c.enabled ? t('channels.on') : t('channels.off')}</Tag>}>
      <Typography.Paragraph type="secondary">{t(`channels.kindHelp.${c.kind}` as MessageKey)}</Typography.Paragraph>
      <Form form={form} layout="vertical" style={{ maxWidth: 560 }} onFinish={(v) => void save(v)}
        initialValues={{ enabled: c.enabled, host: c.host, port: c.port, secure: c.secure ?? false, user: c.user, sender: c.sender, apiKeyHeader: c.apiKeyHeader }}>
        <Form.Item name="enabled" label={t('channels.enabled')} valuePropName="checked"><Switch /></Form.Item>
        {(c.kind === 'wecom' || c.kind === 'dingtalk' || c.kind === 'sms') && (
          <SecretField name="url" label={c.kind === 'sms' ? t('channels.smsUrl') : t('channels.url')} set={c.urlSet} hint={c.hint} clear={cleared.includes('url')} onClear={() => clear('url')} />
        )}
        {c.kind === 'dingtalk' && <SecretField name="signingSecret" label={t('channels.signingSecret')} set={c.signingSecretSet} clear={cleared.includes('signingSecret')} onClear={() => clear('signingSecret')} />}
        {c.kind === 'email' && (
          <>
            <Form.Item name="host" label={t('channels.host')}><Input autoComplete="off" /></Form.Item>
            <Space wrap>
              <Form.Item name="port" label={t('channels.port')}><InputNumber min={1} max={65535} /></Form.Item>
              <Form.Item name="secure" label={t('channels.secure')} valuePropName="checked"><Switch /></Form.Item>
            </Space>
            <Form.Item name="user" label={t('channels.user')}><Input autoComplete="off" /></Form.Item>
            <SecretField name="password" label={t('channels.password')} set={c.passwordSet} clear={cleared.includes('password')} onClear={() => clear('password')} />
            <Form.Item name="sender" label={t('channels.sender')}><Input autoComplete="off" /></Form.Item>
          </>
        )}
        {c.kind === 'sms' && (
          <>
            <Form.Item name="apiKeyHeader" label={t('channels.apiKeyHeader')}><Input autoComplete="off" placeholder="X-Api-Key" /></Form.Item>
            <SecretField name="apiKey" label={t('channels.apiKey')} set={c.apiKeySet} clear={cleared.includes('apiKey')} onClear={() => clear('apiKey')} />
          </>
        )}
        {error && <WriteError error={error} />}
        {result && (result.ok
          ? <Alert type="success" showIcon title={t('channels.testOk')} data-testid="test-result" />
          : <Alert type="warning" showIcon title={t('channels.testFailed', { reason: testReason(t, result) })} data-testid="test-result" />)}
        <Space wrap style={{ marginTop: 12 }}>
          <Button type="primary" htmlType="submit" disabled={busy} data-testid={`save-${c.kind}`}>{t('channels.save')}</Button>
          <Button onClick={() => void test()} disabled={busy} data-testid={`test-${c.kind}`}>{t('channels.test')}</Button>
          {(c.kind === 'email' || c.kind === 'sms') && <Typography.Text type="secondary">{t('channels.testEmailHint')}</Typography.Text>}
        </Space>
      </Form>
    </Card>
  )
}
