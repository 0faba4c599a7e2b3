import { useState } from 'react'
import { Alert, Button, Card, Form, Input, Radio, Select, Typography } from 'antd'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import { asText, periodLabel } from '../../i18n/format'
import { useAuth } from '../../api/session'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import type { Row } from '../../components/records'
import { MoodTag, WriteError } from './shared'

interface Values { mood: number; events?: string; names?: string[]; studentNos?: string[] }

const MOODS = [1, 2, 3, 4, 5] as const

/**
 * 心理晴雨表 for a homeroom teacher or the class psychology monitor (phone-first): the class's
 * mood this period, what affected it, and classmates who may need attention. A monitor reads
 * no student record, so a homeroom teacher picks classmates from the class list and a
 * monitor types their 学号 (the server matches them in the monitor's class only).
 */
export default function BarometerForm() {
  const { t, locale } = useI18n()
  const { grant } = useAuth()
  const homeroom = grant('homeroom_teacher')
  const monitor = grant('peer_monitor')
  const classId = homeroom?.classId ?? monitor?.classId ?? null
  const isHomeroom = !!homeroom?.classId
  const klass = useApi<Row>(classId && isHomeroom ? routes.klass(classId) : null)
  const students = useApi<Page<Row>>(classId && isHomeroom ? routes.students : null, { classId, limit: 500, sort: 'studentNo:asc' })
  const mine = useApi<Page<Row>>(routes.barometer, { limit: 20 })
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [sent, setSent] = useState<Row | null>(null)

  if (!classId) return <Typography.Paragraph>{t('homeroom.noClass')}</Typography.Paragraph>

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    setSent(null)
    try {
      const r = await api<Row>(routes.barometer, {
        method: 'POST',
        body: { classId, mood: v.mood, ...(v.events?.trim() ? { events: v.events.trim() } : {}), ...(v.names?.length ? { names: v.names } : {}),
          ...(v.studentNos?.length ? { studentNos: v.studentNos.map((n) => n.trim()).filter(Boolean) } : {}) },
      })
      setSent(r)
      form.resetFields()
      mine.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack xa-narrow">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>
        {t('barometer.title')}{klass.data?.name ? `：${asText(klass.data.name)}` : ''}
      </Typography.Title>
      <Card title={<h2 className="xa-card-title">{t('barometer.form')}</h2>}>
        <Typography.Paragraph type="secondary">{t('barometer.formHelp')}</Typography.Paragraph>
        {sent && (
          <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} data-testid="barometer-sent"
            title={t('barometer.sent', { period: periodLabel(sent.periodKey, locale) })}
            description={typeof sent.alerts === 'number' && sent.alerts > 0 ? t('barometer.sentAlerts', { n: sent.alerts }) : undefined} />
        )}
        <WriteError error={error} />
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} disabled={busy} data-testid="barometer-form">
          <Form.Item name="mood" label={t('barometer.mood')} rules={[{ required: true, message: t('barometer.moodRequired') }]}>
            <Radio.Group className="xa-mood-choices" aria-label={t('barometer.mood')}>
              {MOODS.map((m) => (
                <Radio.Button key={m} value={m} data-mood={m}>
                  {m} · {t(`barometer.mood.${m}`)}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="events" label={t('barometer.events')} extra={t('barometer.eventsHelp')}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          {isHomeroom
            ? (
              <Form.Item name="names" label={t('barometer.names')} extra={t('barometer.namesHelp')} htmlFor="barometer-names"
                rules={[{ type: 'array', max: 10, message: t('barometer.namesMax') }]}>
                <Select id="barometer-names" mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} loading={students.loading}
                  options={(students.data?.items ?? []).map((s) => ({ value: String(s.id), label: [s.name, s.studentNo].filter(Boolean).map(String).join(' · ') }))} />
              </Form.Item>
            )
            : (
              <Form.Item name="studentNos" label={t('barometer.studentNos')} htmlFor="barometer-student-nos"
                extra={<span data-testid="monitor-names-hint">{t('barometer.studentNosHelp')} <Link to="/monitor">{t('nav.monitor')}</Link></span>}
                rules={[{ type: 'array', max: 10, message: t('barometer.namesMax') }]}>
                <Select id="barometer-student-nos" mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', ' ']} placeholder={t('barometer.studentNosPlaceholder')} />
              </Form.Item>
            )}
          <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="barometer-submit">{t('common.submit')}</Button>
        </Form>
      </Card>
      <Card title={<h2 className="xa-card-title">{t('barometer.mine')}</h2>}>
        <Section loaded={mine} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul className="xa-plain-list" data-testid="my-barometers">
              {[...p.items].sort((a, b) => String(b.periodKey).localeCompare(String(a.periodKey))).map((e) => (
                <li key={String(e.id)}>
                  <div><Typography.Text strong>{periodLabel(e.periodKey, locale)}</Typography.Text>{' '}
                    <Typography.Text type="secondary">{formatDateTime(e.createdAt, locale)}</Typography.Text></div>
                  {'mood' in e && <div>{t('barometer.mood')}：<MoodTag mood={e.mood} /></div>}
                  {typeof e.events === 'string' && <div className="xa-clamp">{e.events}</div>}
                  {typeof e.namedCount === 'number' && e.namedCount > 0 && <div>{t('barometer.namedCount', { n: e.namedCount })}</div>}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </Card>
    </div>
  )
}
