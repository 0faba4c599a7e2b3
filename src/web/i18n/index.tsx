import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { en, zhCN, type MessageKey } from './messages'
import { asText } from './format'

export type Locale = 'zh-CN' | 'en'

/** What a code looks like (open, done_late, windowKey): shown only through a label. */
const CODE_LIKE = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$|^[a-z]+(?:[A-Z][a-z0-9]*)+$/
const STORAGE_KEY = 'xinan.locale'
const tables: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en }

function initialLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

/** Read by the API client for Accept-Language, so server messages come in the same language. */
let current: Locale = initialLocale()
export const currentLocale = (): Locale => current

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

export function format(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return (tables[locale][key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))
}

interface I18n {
  locale: Locale
  setLocale: (l: Locale) => void
  t: Translate
  /**
   * A label for a value the API returns (an enum such as a state): its translation if there is
   * one; a value that looks like a code and has none is never shown as it is.
   */
  label: (prefix: string, value: unknown) => string
}

const I18nContext = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(current)
  const setLocale = useCallback((l: Locale) => {
    current = l
    try {
      localStorage.setItem(STORAGE_KEY, l)
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    document.documentElement.lang = l
    setLocaleState(l)
  }, [])
  const value = useMemo<I18n>(() => {
    document.documentElement.lang = locale
    const table = tables[locale] as Record<string, string>
    return {
      locale,
      setLocale,
      t: (key, params) => format(locale, key, params),
      label: (prefix, v) => {
        const s = asText(v)
        if (s === '') return '—'
        const hit = table[`${prefix}.${s}`]
        if (hit !== undefined) return hit
        return CODE_LIKE.test(s) ? table['common.unlabelled']! : s
      },
    }
  }, [locale, setLocale])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext)
  if (!ctx) throw new Error('useI18n outside I18nProvider')
  return ctx
}
