import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError, type Query } from './client'
import { useI18n } from '../i18n'

export interface Loaded<T> {
  data: T | undefined
  error: ApiError | undefined
  loading: boolean
  reload: () => void
}

/**
 * GET a path and keep the answer; reloads when the path, the query or the language change
 * (server messages and labels come in the user's language). `path` null means "not yet".
 */
export function useApi<T>(path: string | null, query?: Query): Loaded<T> {
  const { locale } = useI18n()
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null })
  const [tick, setTick] = useState(0)
  const key = JSON.stringify(query ?? {})
  const alive = useRef(true)
  useEffect(() => () => { alive.current = false }, [])
  useEffect(() => {
    alive.current = true
    if (path === null) return
    const ctl = new AbortController()
    setState((s) => ({ ...s, loading: true }))
    api<T>(path, { query: JSON.parse(key) as Query, signal: ctl.signal })
      .then((data) => { if (!ctl.signal.aborted) setState({ data, loading: false }) })
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return
        setState({ error: e instanceof ApiError ? e : new ApiError(0, 'network', String(e)), loading: false })
      })
    return () => ctl.abort()
  }, [path, key, tick, locale])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}
