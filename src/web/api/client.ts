import { currentLocale } from '../i18n'

/**
 * The only way the client talks to the server: the public API under /api/v1, with the
 * user's bearer token. What a screen shows is what the API answered — the policies decide
 * rows and fields on the server, and nothing here filters or widens them.
 */
const API_BASE = '/api/v1'

export interface RoleGrant {
  role: string
  schoolId: string | null
  classId: string | null
  districtId: string | null
}

export interface PublicUser {
  id: string
  username: string
  displayName: string
  schoolId: string | null
  districtId: string | null
  roles: RoleGrant[]
  /** Someone else set the password: the server answers nothing but the change until it is made. */
  mustChangePassword?: boolean
  /** Signs in with a code from an authenticator app too. */
  secondFactorEnabled?: boolean
  /** The school requires a second factor and none is set up: the server answers nothing but the setup. */
  mustEnrolSecondFactor?: boolean
}

/** The password step's answer for an account with a second factor: the code step comes next. */
export interface SecondStep {
  secondFactor: 'totp'
  challenge: string
  expiresIn: number
}

export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  user: PublicUser
}

export interface Page<T> {
  items: T[]
  total: number
  limit?: number
  offset?: number
}

/** An answer other than 2xx, carrying the API's own { code, message } (already in the user's language). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

// ── session ──────────────────────────────────────────────────────────────────────────
// Tokens live in sessionStorage: a sign-in survives a reload but ends with the tab, which
// suits the shared computers of a staff room better than a 14-day localStorage token.

const SESSION_KEY = 'xinan.session'

interface StoredSession {
  accessToken: string
  refreshToken: string
  user: PublicUser
}

let session: StoredSession | null = readSession()

function readSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY)
    return raw ? (JSON.parse(raw) as StoredSession) : null
  } catch {
    return null
  }
}

function writeSession(s: StoredSession | null) {
  session = s
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s))
    else sessionStorage.removeItem(SESSION_KEY)
  } catch {
    // Storage unavailable: the session lives in memory only.
  }
  for (const l of listeners) l(s?.user ?? null, 'change')
}

type Listener = (user: PublicUser | null, why: 'change' | 'expired') => void
const listeners = new Set<Listener>()

/** Called with the new user on sign-in / refresh / sign-out, and with 'expired' when the refresh token is refused. */
export function onSession(l: Listener): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

export const currentUser = (): PublicUser | null => session?.user ?? null

export function setSession(pair: TokenPair) {
  expiredFlag = false
  writeSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken, user: pair.user })
}

export function updateUser(user: PublicUser) {
  if (session) writeSession({ ...session, user })
}

let expiredFlag = false
/** The last session ended because its refresh was refused (until the next sign-in). */
export const sessionExpired = () => expiredFlag

function expire() {
  expiredFlag = true
  session = null
  try {
    sessionStorage.removeItem(SESSION_KEY)
  } catch {
    // ignore
  }
  for (const l of listeners) l(null, 'expired')
}

function clearSession() {
  writeSession(null)
}

// ── refresh ──────────────────────────────────────────────────────────────────────────
// Refresh tokens rotate and a reused one ends the whole login (server side), so concurrent
// 401s must share one refresh call.

let refreshing: Promise<boolean> | null = null

function refresh(): Promise<boolean> {
  if (refreshing) return refreshing
  const token = session?.refreshToken
  if (!token) return Promise.resolve(false)
  refreshing = (async () => {
    try {
      const res = await fetch(`${API_BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': currentLocale() },
        body: JSON.stringify({ refreshToken: token }),
      })
      if (!res.ok) return false
      setSession((await res.json()) as TokenPair)
      return true
    } catch {
      return false
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

// ── requests ─────────────────────────────────────────────────────────────────────────

export type Query = Record<string, string | number | boolean | undefined | null>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  query?: Query
  /** A plain object is sent as JSON; FormData as multipart. */
  body?: unknown
  signal?: AbortSignal
}

function buildUrl(path: string, query?: Query): string {
  const url = `${API_BASE}${path}`
  if (!query) return url
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
  const s = qs.toString()
  return s ? `${url}?${s}` : url
}

function headersFor(body: unknown): Record<string, string> {
  const h: Record<string, string> = { 'accept-language': currentLocale() }
  if (session) h.authorization = `Bearer ${session.accessToken}`
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) h['content-type'] = 'application/json'
  return h
}

function encodeBody(body: unknown): BodyInit | undefined {
  if (body === undefined) return undefined
  if (body instanceof FormData || body instanceof Blob) return body
  return JSON.stringify(body)
}

async function errorOf(res: Response): Promise<ApiError> {
  let data: { code?: string; message?: string; details?: unknown; requestId?: string } = {}
  try {
    data = (await res.json()) as typeof data
  } catch {
    // Not JSON (a proxy's page): fall back to the status text.
  }
  return new ApiError(res.status, data.code ?? `http_${res.status}`, data.message ?? (res.statusText || `HTTP ${res.status}`), data.details, data.requestId)
}

// ── step-up ──────────────────────────────────────────────────────────────────────────
// Exports and a few telling reads answer 403 step_up_required when this login has not proved
// its factors for 15 minutes. The dialog (layout/StepUpDialog) registers here; every request
// that meets the answer waits for one shared dialog and is sent again once it succeeds, so
// each export and screen gets it without code of its own.

type StepUpHandler = () => Promise<boolean>
let stepUpHandler: StepUpHandler | null = null
let steppingUp: Promise<boolean> | null = null

export function onStepUpNeeded(h: StepUpHandler): () => void {
  stepUpHandler = h
  return () => { if (stepUpHandler === h) stepUpHandler = null }
}

function askStepUp(): Promise<boolean> {
  if (!stepUpHandler) return Promise.resolve(false)
  steppingUp ??= stepUpHandler().finally(() => { steppingUp = null })
  return steppingUp
}

async function needsStepUp(res: Response): Promise<boolean> {
  if (res.status !== 403 || !(res.headers.get('content-type') ?? '').includes('json')) return false
  try {
    return ((await res.clone().json()) as { code?: string }).code === 'step_up_required'
  } catch {
    return false
  }
}

/** fetch with the bearer token, one refresh-and-retry on 401, the step-up dialog on step_up_required, and ApiError for failures. */
export async function send(path: string, opts: RequestOptions = {}): Promise<Response> {
  const url = buildUrl(path, opts.query)
  const go = () => fetch(url, { method: opts.method ?? 'GET', headers: headersFor(opts.body), body: encodeBody(opts.body), signal: opts.signal })
  let res = await go()
  if (res.status === 401 && session) {
    if (await refresh()) res = await go()
    else {
      expire()
      throw await errorOf(res)
    }
    if (res.status === 401) {
      expire()
      throw await errorOf(res)
    }
  }
  if (session && (await needsStepUp(res)) && (await askStepUp())) res = await go()
  if (!res.ok) throw await errorOf(res)
  return res
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts)
  if (res.status === 204) return undefined as T
  const type = res.headers.get('content-type') ?? ''
  return (type.includes('json') ? await res.json() : await res.text()) as T
}

/** Downloads a file answer (an Excel export) under the name the server gives, or `fallback`. */
export async function download(path: string, fallback: string, query?: Query): Promise<void> {
  const res = await send(path, { query })
  const blob = await res.blob()
  const cd = res.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  saveBlob(blob, star?.[1] ? decodeURIComponent(star[1]) : plain?.[1] ?? fallback)
}

/** Hands a file made or fetched in the page to the browser's downloads, as `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

/** Shows a print-ready page in a window opened for it (opened on the click, before any await, so no pop-up blocker stops it). */
export function showHtml(w: Window, html: string): void {
  w.location.href = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }))
}

/**
 * An upload with progress (fetch has none): the file itself as the body with its own
 * Content-Type, through XMLHttpRequest, with the same token and the same one
 * refresh-and-retry on 401.
 */
export function upload<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void, query?: Query): Promise<T> {
  const once = () => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path, query))
    for (const [k, v] of Object.entries(headersFor(file))) xhr.setRequestHeader(k, v)
    xhr.setRequestHeader('content-type', contentType)
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total) }
    xhr.upload.onload = () => onProgress(1)
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText })
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'))
    xhr.send(file)
  })
  const asError = (r: { status: number; text: string }) => {
    try {
      const d = JSON.parse(r.text) as { code?: string; message?: string; details?: unknown; requestId?: string }
      return new ApiError(r.status, d.code ?? `http_${r.status}`, d.message ?? `HTTP ${r.status}`, d.details, d.requestId)
    } catch {
      return new ApiError(r.status, `http_${r.status}`, `HTTP ${r.status}`)
    }
  }
  return (async () => {
    let r = await once()
    if (r.status === 401 && session) {
      if (!(await refresh())) {
        expire()
        throw asError(r)
      }
      r = await once()
    }
    if (r.status < 200 || r.status >= 300) throw asError(r)
    return (r.text ? JSON.parse(r.text) : undefined) as T
  })()
}

// ── auth ─────────────────────────────────────────────────────────────────────────────

/** The password step: signed in, or (an account with a second factor) the challenge for the code step. */
export async function login(username: string, password: string): Promise<PublicUser | SecondStep> {
  const answer = await api<TokenPair | SecondStep>('/auth/login', { method: 'POST', body: { username, password } })
  if ('challenge' in answer) return answer
  setSession(answer)
  return answer.user
}

/** The code step: a code from the app or a recovery code. */
export async function completeLogin(challenge: string, proof: { code: string } | { recoveryCode: string }): Promise<PublicUser> {
  const pair = await api<TokenPair>('/auth/login/second-factor', { method: 'POST', body: { challenge, ...proof } })
  setSession(pair)
  return pair.user
}

export async function logout(): Promise<void> {
  try {
    if (session) await api('/auth/logout', { method: 'POST' })
  } catch {
    // The token may already be dead; signing out locally is what matters.
  } finally {
    clearSession()
  }
}
