import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, Radio, Tag, Typography } from 'antd'
import { CheckCircleOutlined, ClockCircleOutlined, SyncOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import type { Row } from '../../components/records'

const STATUS_ICON: Record<string, React.ReactNode> = {
  received: <ClockCircleOutlined aria-hidden />,
  in_progress: <SyncOutlined aria-hidden />,
  handled: <CheckCircleOutlined aria-hidden />,
}

interface Values { classmate: string; whatSeen: string; urgency: 'low' | 'medium' | 'high' }

/** A 学号 is letters and digits; anything else is a name (the server looks it up in the monitor's own class only). */
const asStudent = (v: string) => (/^[A-Za-z0-9_-]+$/.test(v) ? { studentNo: v } : { studentName: v })

/** 心理委员: one simple alert form and the status of my own submissions (phone-first). */
export default function MonitorPage() {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  const [sent, setSent] = useState(false)
  const mine = useApi<Page<Row>>(routes.alerts, { limit: 50 })

  async function submit(v: Values) {
    setBusy(true)
    setSent(false)
    try {
      await api(routes.alerts, { method: 'POST', body: { ...asStudent(v.classmate.trim()), whatSeen: v.whatSeen.trim(), urgency: v.urgency } })
      form.resetFields()
      setSent(true)
      mine.reload()
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack xa-narrow">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('monitor.title')}</Typography.Title>
      <Card title={<h2 className="xa-card-title">{t('monitor.form')}</h2>}>
        <Typography.Paragraph type="secondary">{t('monitor.formHelp')}</Typography.Paragraph>
        {sent && <Alert type="success" showIcon role="status" title={t('monitor.submitted')} style={{ marginBottom: 16 }} data-testid="alert-sent" />}
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} disabled={busy} initialValues={{ urgency: 'medium' }} data-testid="alert-form">
          <Form.Item name="classmate" label={t('monitor.student')} extra={t('monitor.studentHelp')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('monitor.student') }) }]}>
            <Input size="large" maxLength={40} autoComplete="off" />
          </Form.Item>
          <Form.Item name="whatSeen" label={t('monitor.whatSeen')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('monitor.whatSeen') }) }]}>
            <Input.TextArea rows={4} maxLength={1000} showCount />
          </Form.Item>
          <Form.Item name="urgency" label={t('monitor.urgency')} rules={[{ required: true }]}>
            <Radio.Group optionType="button" buttonStyle="solid" size="large"
              options={(['low', 'medium', 'high'] as const).map((u) => ({ value: u, label: t(`monitor.urgency.${u}`) }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" size="large" block loading={busy}>{t('common.submit')}</Button>
        </Form>
      </Card>
      <Card title={<h2 className="xa-card-title">{t('monitor.mine')}</h2>}>
        <Section loaded={mine} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul className="xa-plain-list" data-testid="my-alerts">
              {p.items.map((a) => (
                <li key={String(a.id)}>
                  <div><Tag icon={STATUS_ICON[String(a.status)]} data-status={String(a.status)}>{asText(a.statusLabel, label('monitor.status', a.status))}</Tag>
                    <Typography.Text type="secondary">{formatDateTime(a.createdAt, locale)}</Typography.Text></div>
                  {typeof a.urgency === 'string' && <div>{t('monitor.urgency')}：{label('monitor.urgency', a.urgency)}</div>}
                  {typeof a.whatSeen === 'string' && <div className="xa-clamp">{a.whatSeen}</div>}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </Card>
    </div>
  )
}
