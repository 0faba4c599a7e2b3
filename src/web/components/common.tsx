import { Alert, Button, Descriptions, Empty, Spin, Tag } from 'antd'
import { ClockCircleOutlined, WarningOutlined } from '@ant-design/icons'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n/messages'
import type { Loaded } from '../api/hooks'
import type { ApiError } from '../api/client'
import { asText, formatDate, formatDateTime, gradeName, periodLabel, schoolYearLabel, windowLabel } from '../i18n/format'
import { enumPrefixOf } from '../i18n/value-labels'

const RISK_COLOURS: Record<string, string> = { red: 'red', orange: 'orange', yellow: 'gold', green: 'green' }
const RISK_MARKS: Record<string, string> = { red: '■■■■', orange: '■■■□', yellow: '■■□□', green: '■□□□' }

/** A risk level always as colour and text (and a bar of squares for those who cannot tell the colours apart). */
export function RiskTag({ level }: { level: unknown }) {
  const { t, label } = useI18n()
  if (typeof level !== 'string' || !level) return <span>—</span>
  const text = label('risk', level)
  return (
    <Tag color={RISK_COLOURS[level] ?? 'default'} aria-label={`${t('risk.label')}: ${text}`} data-risk={level}>
      <span aria-hidden="true" style={{ fontSize: 9, letterSpacing: -1, marginRight: 4 }}>{RISK_MARKS[level] ?? ''}</span>
      {text}
    </Tag>
  )
}

export { formatDate, formatDateTime } from '../i18n/format'

function humanDuration(ms: number, locale: string): string {
  const min = Math.round(Math.abs(ms) / 60_000)
  const zh = locale !== 'en'
  if (min < 60) return zh ? `${min} 分钟` : `${min} min`
  const h = Math.round(min / 60)
  if (h < 48) return zh ? `${h} 小时` : `${h} h`
  const d = Math.round(h / 24)
  return zh ? `${d} 天` : `${d} days`
}

/** A deadline as a time plus "overdue by" / "left" in words and an icon, not colour alone. */
export function Deadline({ at }: { at: unknown }) {
  const { t, locale } = useI18n()
  if (!at) return <span>—</span>
  const when = new Date(asText(at))
  const left = when.getTime() - Date.now()
  const overdue = left < 0
  return (
    <span data-overdue={overdue ? 'true' : 'false'}>
      {formatDateTime(at, locale)}{' '}
      <Tag color={overdue ? 'red' : 'blue'} icon={overdue ? <WarningOutlined aria-hidden /> : <ClockCircleOutlined aria-hidden />}>
        {overdue ? t('common.overdueBy') : t('common.remaining')} {humanDuration(left, locale)}
      </Tag>
    </span>
  )
}

/** Error answers of the API in its own words (never the request's path: a code word on screen). */
export function ApiProblem({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useI18n()
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={error.message}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    />
  )
}

/** Loading / error / empty handling around one API answer. */
export function Section<T>({ loaded, children, empty }: { loaded: Loaded<T>; children: (data: T) => ReactNode; empty?: (data: T) => boolean }) {
  const { t } = useI18n()
  if (loaded.error) return <ApiProblem error={loaded.error} onRetry={loaded.reload} />
  if (loaded.data === undefined) return <Spin description={t("common.loading")} spinning><div style={{ minHeight: 48 }} /></Spin>
  if (empty?.(loaded.data)) return <Empty description={t('common.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
  return <>{children(loaded.data)}</>
}

const RISK_FIELDS = new Set(['riskLevel', 'suggestedRisk', 'confirmedRisk', 'reassessedRisk', 'riskFrom', 'riskTo'])

/** Ids are links between records, not something a reader needs to see. */
const isReference = (k: string) => k === 'id' || /(Id|Ids|Ref|By|Hash)$/.test(k)

/** Structured values with no reading for a person (an instrument's definition, a notification's parameters). */
const isStructure = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Values that are written in a form of their own, whatever record they are in. */
const FORMATTERS: Record<string, (v: unknown, locale: string) => string> = {
  windowKey: windowLabel,
  window: windowLabel,
  periodKey: periodLabel,
  gradeLevel: gradeName,
  level: gradeName,
  schoolYear: (v) => schoolYearLabel(v),
}

/**
 * One value of a record as the API sent it: dates in one format (Asia/Shanghai), enums
 * labelled by the record's resource, risks tagged. A value of an enumerated field without a
 * label says so instead of showing the code (test/web/labels.test.ts keeps that from happening).
 */
export function FieldValue({ name, value, enumPrefix, resource }: { name: string; value: unknown; enumPrefix?: string; resource?: string }) {
  const { t, locale, label } = useI18n()
  if (RISK_FIELDS.has(name)) return <RiskTag level={value} />
  if (value === null || value === undefined || value === '') return <span>—</span>
  if (typeof value === 'boolean') return <span>{value ? t('common.yes') : t('common.no')}</span>
  const prefix = enumPrefix ?? enumPrefixOf(name, resource)
  const one = (v: unknown): string => {
    if (FORMATTERS[name]) return FORMATTERS[name](v, locale)
    if (/^gradeLevels?$/.test(name)) return gradeName(v, locale)
    if (prefix) return label(prefix, v)
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return formatDateTime(v, locale)
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v, locale)
    return String(v)
  }
  if (Array.isArray(value)) return <span>{value.map(one).join('、')}</span>
  if (isStructure(value)) return <span>—</span>
  return <span style={prefix ? undefined : { whiteSpace: 'pre-wrap' }}>{one(value)}</span>
}

/** A field's label; a field with none has no place on a screen (labels.test.ts lists every readable one). */
export function fieldLabel(t: (k: MessageKey) => string, name: string): string | null {
  const key = `field.${name}` as MessageKey
  const s = t(key)
  return s === undefined || s === key ? null : s
}

/**
 * Every field of a record the API returned (whatever the caller's policy let through),
 * labelled; reference ids and structured values are not shown, nor a field with no label (never
 * its code). Nothing is picked or hidden for privacy here: that is the server's job.
 */
export function Fields({ record, enums, column = 2, resource }: { record: Record<string, unknown>; enums?: Record<string, string>; column?: number; resource?: string }) {
  const { t } = useI18n()
  // `riskLevelText` / `stateText` beside their field are the same fact in words, already shown as a label.
  const entries = Object.entries(record)
    .filter(([k, v]) => !isReference(k) && !isStructure(v) && !(k.endsWith('Text') && k.slice(0, -4) in record))
    .map(([k, v]) => [k, v, fieldLabel(t, k)] as const)
    .filter((e): e is readonly [string, unknown, string] => e[2] !== null)
  if (entries.length === 0) return null
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 1, md: column }} bordered
      items={entries.map(([k, v, title]) => ({ key: k, label: title, children: <FieldValue name={k} value={v} enumPrefix={enums?.[k]} resource={resource} /> }))}
    />
  )
}
