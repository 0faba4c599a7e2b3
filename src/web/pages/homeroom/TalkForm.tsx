import { useEffect, useState } from 'react'
import { App, Button, Checkbox, DatePicker, Form, Input, Select } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { api, ApiError } from '../../api/client'
import { routes } from '../../api/routes'
import type { Row } from '../../components/records'

export interface TalkPrefill { studentId?: string; kind?: string }

interface Values {
  studentId: string
  talkDate: Dayjs
  kind: string
  place?: string
  summary?: string
  followUpNeeded?: boolean
  concerned?: boolean
}

const KINDS = ['semester', 'monthly', 'holiday_return', 'other'] as const

/** 谈话记录: a talk log fulfils the matching open duty on the server. */
export function TalkForm({ students, prefill, onSaved }: { students: Row[]; prefill?: TalkPrefill; onSaved: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  // "记录谈话" on a due talk fills in its student and kind.
  useEffect(() => {
    if (prefill) form.setFieldsValue({ studentId: prefill.studentId, ...(prefill.kind ? { kind: prefill.kind } : {}) })
  }, [prefill, form])

  async function submit(v: Values) {
    setBusy(true)
    try {
      await api(routes.talkLogs, {
        method: 'POST',
        body: {
          studentId: v.studentId,
          talkDate: v.talkDate.format('YYYY-MM-DD'),
          kind: v.kind,
          ...(v.place ? { place: v.place } : {}),
          ...(v.summary ? { summary: v.summary } : {}),
          followUpNeeded: !!v.followUpNeeded,
          concerned: !!v.concerned,
        },
      })
      message.success(t('homeroom.logged'))
      form.resetFields()
      onSaved()
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} disabled={busy} data-testid="talk-form"
      initialValues={{ talkDate: dayjs(), kind: 'semester' }}>
      <Form.Item name="studentId" label={t('common.student')} rules={[{ required: true, message: t('login.required', { field: t('common.student') }) }]}>
        <Select showSearch={{ optionFilterProp: 'label' }} options={students.map((s) => ({ value: String(s.id), label: [s.name, s.studentNo].filter(Boolean).join(' · ') }))} />
      </Form.Item>
      <Form.Item name="talkDate" label={t('homeroom.talkDate')} rules={[{ required: true }]}>
        <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
      </Form.Item>
      <Form.Item name="kind" label={t('homeroom.talkKind')} rules={[{ required: true }]}>
        <Select options={KINDS.map((k) => ({ value: k, label: t(`talk.${k}`) }))} />
      </Form.Item>
      <Form.Item name="place" label={t('homeroom.place')}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="summary" label={t('homeroom.summary')}>
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
      <Form.Item name="followUpNeeded" valuePropName="checked" style={{ marginBottom: 4 }}>
        <Checkbox>{t('homeroom.followUp')}</Checkbox>
      </Form.Item>
      <Form.Item name="concerned" valuePropName="checked">
        <Checkbox>{t('homeroom.concerned')}</Checkbox>
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} block>{t('common.save')}</Button>
    </Form>
  )
}
