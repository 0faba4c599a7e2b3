import { useEffect, useState } from 'react'
import { Alert, App, Select, Tag } from 'antd'
import { useI18n } from '../../i18n'
import { api, ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import type { Row } from '../../components/records'

/** Topic categories of letters and visits (the API's `Categories`). */
export const CATEGORIES = ['study', 'peers', 'family', 'emotion', 'other'] as const
export const FOLLOW_UPS = ['none', 'revisit', 'case', 'referral'] as const
export const RISK_LEVELS = ['red', 'orange', 'yellow', 'green'] as const

/**
 * An API failure in the server's words (already in the user's language, naming the field or
 * value concerned) — never its code.
 */
function problemText(e: unknown): string {
  if (e instanceof ApiError) return e.message
  return String(e)
}

/** A toast for a failed write, with the API's message. */
export function useFailure(): (e: unknown) => void {
  const { message } = App.useApp()
  return (e) => { void message.error({ content: <span data-testid="api-error">{problemText(e)}</span>, duration: 6 }) }
}

/** An inline error for a failed write (stays until the next try). */
export function WriteError({ error }: { error: unknown }) {
  if (!error) return null
  return <Alert type="error" showIcon role="alert" title={problemText(error)} style={{ marginBottom: 12 }} data-testid="write-error" />
}

// Filled squares as many as the mood: readable without colour and in every font.
const MOOD_MARKS = ['', '■□□□□', '■■□□□', '■■■□□', '■■■■□', '■■■■■']
const MOOD_COLOURS = ['', 'red', 'orange', 'gold', 'cyan', 'green']

/** A class mood 1–5 as a number, a sign and words — never colour alone. */
export function MoodTag({ mood }: { mood: unknown }) {
  const { t } = useI18n()
  const n = typeof mood === 'number' ? Math.round(mood) : NaN
  if (!(n >= 1 && n <= 5)) return <span>—</span>
  return (
    <Tag color={MOOD_COLOURS[n]} data-mood={n}>
      <span aria-hidden="true" style={{ fontSize: 9, letterSpacing: -1, marginRight: 4 }}>{MOOD_MARKS[n]}</span>
      {n} · {t(`barometer.mood.${n}` as 'barometer.mood.1')}
    </Tag>
  )
}

export const moodLabel = (t: (k: 'barometer.mood.1') => string, n: number) => t(`barometer.mood.${n}` as 'barometer.mood.1')

/**
 * Picks a student by name or 学号 through GET /students (the caller's own policy decides who
 * can be found); the value is the student's id.
 */
export function StudentPicker({ id, value, onChange, placeholder }: { id?: string; value?: string | null; onChange?: (v: string | null) => void; placeholder?: string }) {
  const { t } = useI18n()
  const [query, setQuery] = useState('')
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([])
  const [loading, setLoading] = useState(false)
  useEffect(() => {
    const q = query.trim()
    if (!q) return
    const ctl = new AbortController()
    setLoading(true)
    const timer = setTimeout(() => {
      api<Page<Row>>(routes.students, { query: { q, limit: 20, sort: 'studentNo:asc' }, signal: ctl.signal })
        .then((p) => setOptions(p.items.map((s) => ({ value: String(s.id), label: [s.name, s.studentNo].filter(Boolean).map(String).join(' · ') }))))
        .catch(() => { if (!ctl.signal.aborted) setOptions([]) })
        .finally(() => { if (!ctl.signal.aborted) setLoading(false) })
    }, 250)
    return () => { clearTimeout(timer); ctl.abort() }
  }, [query])
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setQuery }}
      allowClear
      value={value ?? undefined}
      onChange={(v?: string) => onChange?.(v ?? null)}
      options={options}
      loading={loading}
      placeholder={placeholder ?? t('practices.pickStudent')}
      notFoundContent={query ? t('common.empty') : t('practices.typeToSearch')}
      data-testid="student-picker"
      style={{ width: '100%' }}
    />
  )
}
