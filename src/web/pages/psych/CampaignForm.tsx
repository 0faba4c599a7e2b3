import { DatePicker, Form, Input, Select, Switch } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText, gradeName } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { FormDialog, isoDay, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'
import { pendingReview } from './ConsentTab'

/** 小学高年级 (4) to 高三 (12), as the API takes them. */
const GRADES = [4, 5, 6, 7, 8, 9, 10, 11, 12] as const
const STATUSES = ['planned', 'open', 'closed'] as const

interface Values { name: string; schoolYear: string; instrumentIds: string[]; gradeLevels: number[]; range: [Dayjs, Dayjs]; status: string; consentRequired: boolean }

/** The school year a date falls in: from September (2026-09 → 2026-2027). */
function schoolYearOf(d: Dayjs): string {
  const start = d.month() >= 8 ? d.year() : d.year() - 1
  return `${start}-${start + 1}`
}

/** The instrument's name in the user's language, with its code unless the name already says it. */
function instrumentLabel(i: Row, locale: string): string {
  const code = asText(i.code)
  const name = asText(locale === 'en' ? i.nameEn : i.nameZh, code)
  return name.includes(code) ? name : `${name} (${code})`
}

/** 新建测评活动: instruments from the school's list, grades, the window and the status. */
export function CampaignDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const instruments = useApi<Page<Row>>(open ? routes.instruments : null, { limit: 100, includeDefinition: 'true' })
  const today = dayjs()
  return (
    <FormDialog<Values> open={open} onClose={onClose} onDone={onDone} testId="campaign-dialog" title={t('campaignForm.new')} width={640}
      initialValues={{ schoolYear: schoolYearOf(today), range: [today, today.add(30, 'day')], status: 'planned', gradeLevels: [], consentRequired: true }}
      onSubmit={(v) => api(routes.campaigns, {
        method: 'POST',
        body: {
          name: v.name.trim(), schoolYear: v.schoolYear.trim(), instrumentIds: v.instrumentIds, gradeLevels: v.gradeLevels,
          startDate: isoDay(v.range[0]), endDate: isoDay(v.range[1]), status: v.status, consentRequired: v.consentRequired,
        },
      })}>
      <Form.Item name="name" label={t('campaignForm.name')} rules={required(t('campaignForm.name'))}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="schoolYear" label={t('field.schoolYear')} extra={t('campaignForm.schoolYearHelp')}
        rules={[...required(t('field.schoolYear')), { pattern: /^\d{4}-\d{4}$/, message: t('campaignForm.schoolYearHelp') }]}>
        <Input maxLength={9} />
      </Form.Item>
      <Form.Item name="instrumentIds" label={t('campaignForm.instruments')} rules={required(t('campaignForm.instruments'))}>
        <Select mode="multiple" loading={instruments.loading} showSearch={{ optionFilterProp: 'label' }}
          options={(instruments.data?.items ?? []).map((i) => ({ value: String(i.id), label: `${instrumentLabel(i, locale)}${pendingReview(i) ? `（${t('instrument.pendingReview')}）` : ''}` }))} />
      </Form.Item>
      <Form.Item name="gradeLevels" label={t('field.gradeLevels')} rules={required(t('field.gradeLevels'))}>
        <Select mode="multiple" options={GRADES.map((g) => ({ value: g, label: gradeName(g, locale) }))} />
      </Form.Item>
      <Form.Item name="range" label={t('campaignForm.window')} rules={required(t('campaignForm.window'))}>
        <DatePicker.RangePicker style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="status" label={t('field.status')}>
        <Select options={STATUSES.map((s) => ({ value: s, label: label('campaignStatus', s) }))} />
      </Form.Item>
      <Form.Item name="consentRequired" label={t('campaignForm.consentRequired')} valuePropName="checked" extra={t('campaignForm.consentRequiredHelp')}>
        <Switch data-testid="consent-required" />
      </Form.Item>
    </FormDialog>
  )
}
