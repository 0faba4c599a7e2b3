import { DatePicker, Form, Input, Select } from 'antd'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { noFuture, useRequired } from '../../components/forms'

/** Kinds of a themed activity (主题活动) a school or class records. */
export const SCHOOL_ACTIVITY_KINDS = ['mental_health_day', 'mental_health_month', 'opening_ceremony', 'other'] as const

/** What every themed-activity form asks: its kind, title and days (the last day may stay open). */
export interface ActivityBasics { kind: string; title: string; dates: [Dayjs, Dayjs | null] }

/** The body fields the API takes for ActivityBasics. */
export function activityBody(v: ActivityBasics) {
  return {
    kind: v.kind,
    title: v.title.trim(),
    startsOn: v.dates[0].format('YYYY-MM-DD'),
    endsOn: v.dates[1] ? v.dates[1].format('YYYY-MM-DD') : null,
  }
}

/**
 * The kind, title and days of a themed activity: the school's own form (教务) and a homeroom
 * teacher's class activity ask them the same way.
 */
export function ActivityFields() {
  const { t, label } = useI18n()
  const required = useRequired()
  return (
    <>
      <Form.Item name="kind" label={t('activities.kind')} rules={required(t('activities.kind'))}>
        <Select options={SCHOOL_ACTIVITY_KINDS.map((k) => ({ value: k, label: label('schoolActivityKind', k) }))} />
      </Form.Item>
      <Form.Item name="title" label={t('activities.title')} rules={[...required(t('activities.title')), { whitespace: true, message: t('login.required', { field: t('activities.title') }) }]}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="dates" label={`${t('field.startsOn')} – ${t('field.endsOn')}`} rules={required(t('field.startsOn'))}>
        <DatePicker.RangePicker allowEmpty={[false, true]} disabledDate={noFuture} />
      </Form.Item>
    </>
  )
}
