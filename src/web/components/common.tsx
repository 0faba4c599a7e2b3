import { Alert, Button, Descriptions, Empty, Spin, Tag, Typography } from 'antd'
import { ClockCircleOutlined, ExclamationCircleOutlined, WarningOutlined } from '@ant-design/icons'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n/messages'
import { isMissingRoute, type Loaded } from '../api/hooks'
import type { ApiError } from '../api/client'

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

export function formatDateTime(v: unknown, locale: string): string {
  if (v === null || v === undefined || v === '') return '—'
  const s = String(v)
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return d.toLocaleString(locale === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
}

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
  const when = new Date(String(at))
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

/** Error answers of the API in its own words; a route the server does not have yet says which. */
export function ApiProblem({ error, route, onRetry }: { error: ApiError; route?: string; onRetry?: () => void }) {
  const { t } = useI18n()
  if (isMissingRoute(error)) {
    return <Alert type="info" showIcon icon={<ExclamationCircleOutlined />} title={t('common.notAvailable', { route: route ?? '' })} data-testid="route-missing" />
  }
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
export function Section<T>({ loaded, route, children, empty }: { loaded: Loaded<T>; route?: string; children: (data: T) => ReactNode; empty?: (data: T) => boolean }) {
  const { t } = useI18n()
  if (loaded.error) return <ApiProblem error={loaded.error} route={route} onRetry={loaded.reload} />
  if (loaded.data === undefined) return <Spin description={t("common.loading")} spinning><div style={{ minHeight: 48 }} /></Spin>
  if (empty?.(loaded.data)) return <Empty description={t('common.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
  return <>{children(loaded.data)}</>
}

const ENUM_PREFIX: Record<string, string> = {
  riskLevel: 'risk', suggestedRisk: 'risk', confirmedRisk: 'risk', reassessedRisk: 'risk',
  gender: 'gender', state: 'caseState', kind: 'talk', urgency: 'monitor.urgency', source: 'caseSource',
}
const RISK_FIELDS = new Set(['riskLevel', 'suggestedRisk', 'confirmedRisk', 'reassessedRisk'])

/** Ids are links between records, not something a reader needs to see. */
const isReference = (k: string) => k === 'id' || /(Id|Ids|Ref|By)$/.test(k)

/** One value of a record as the API sent it: dates formatted, enums labelled, risks tagged. */
export function FieldValue({ name, value, enumPrefix }: { name: string; value: unknown; enumPrefix?: string }) {
  const { t, locale, label } = useI18n()
  if (RISK_FIELDS.has(name)) return <RiskTag level={value} />
  if (value === null || value === undefined || value === '') return <span>—</span>
  if (typeof value === 'boolean') return <span>{value ? t('common.yes') : t('common.no')}</span>
  if (Array.isArray(value)) return <span>{value.map(String).join('、')}</span>
  if (typeof value === 'object') return <Typography.Text code>{JSON.stringify(value)}</Typography.Text>
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return <span>{formatDateTime(value, locale)}</span>
  const prefix = enumPrefix ?? ENUM_PREFIX[name]
  if (prefix) return <span>{label(prefix, value)}</span>
  return <span style={{ whiteSpace: 'pre-wrap' }}>{String(value)}</span>
}

export function fieldLabel(t: (k: MessageKey) => string, name: string): string {
  const key = `field.${name}` as MessageKey
  const s = t(key)
  return s === undefined || s === key ? name : s
}

/**
 * Every field of a record the API returned (whatever the caller's policy let through),
 * labelled; reference ids are not shown. Nothing is picked or hidden for privacy here:
 * that is the server's job.
 */
export function Fields({ record, enums, column = 2 }: { record: Record<string, unknown>; enums?: Record<string, string>; column?: number }) {
  const { t } = useI18n()
  // `riskLevelText` / `stateText` beside their field are the same fact in words, already shown as a label.
  const entries = Object.entries(record).filter(([k]) => !isReference(k) && !(k.endsWith('Text') && k.slice(0, -4) in record))
  if (entries.length === 0) return null
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 1, md: column }} bordered
      items={entries.map(([k, v]) => ({ key: k, label: fieldLabel(t as (k: MessageKey) => string, k), children: <FieldValue name={k} value={v} enumPrefix={enums?.[k]} /> }))}
    />
  )
}
