import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { api, currentUser, login as apiLogin, logout as apiLogout, onSession, updateUser, type PublicUser, type SecondStep } from './client'

interface Auth {
  user: PublicUser | null
  roles: string[]
  /** The first grant of a role (e.g. the homeroom teacher's class). */
  grant: (role: string) => PublicUser['roles'][number] | undefined
  login: (username: string, password: string) => Promise<PublicUser | SecondStep>
  logout: () => Promise<void>
}

const AuthContext = createContext<Auth | null>(null)

/** Where an account whose password someone else set goes first (pages/account/ChangePasswordPage). */
const FORCED_PASSWORD_PATH = '/change-password'
/** Where an account that must set up a second factor goes first (pages/account/SecondFactorPage). */
export const FORCED_SECOND_FACTOR_PATH = '/second-factor-setup'

/** The page to return to after the forced change: where the user was headed, never the login page. */
function headedTo(pathname: string, search: string): string {
  if (pathname === '/login') return new URLSearchParams(search).get('next') ?? '/'
  return pathname + search
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<PublicUser | null>(currentUser())
  const navigate = useNavigate()
  const location = useLocation()

  useEffect(() => onSession((u, why) => {
    setUser(u)
    if (why === 'expired') {
      const next = window.location.pathname + window.location.search
      // BrowserRouter navigates at once: navigate returns a promise only under a data router.
      void navigate(`/login?expired=1&next=${encodeURIComponent(next)}`, { replace: true })
    }
  }), [navigate])

  // Roles can change while a tab is open: ask the server who we are once per page load.
  useEffect(() => {
    const asked = currentUser()
    if (!asked) return
    // A sign-in or password change while the answer was on its way made a newer session: keep it
    // (a stale answer would say the password must still be changed).
    api<PublicUser>('/auth/me').then((u) => { if (currentUser() === asked) updateUser(u) }).catch(() => { /* expiry is handled by the client */ })
  }, [])

  const value: Auth = {
    user,
    roles: [...new Set(user?.roles.map((r) => r.role) ?? [])],
    grant: (role) => user?.roles.find((r) => r.role === role),
    login: apiLogin,
    logout: async () => {
      await apiLogout()
      void navigate('/login', { replace: true, state: { from: location.pathname } })
    },
  }
  // The server refuses everything but /me, /password and /logout until the password is changed:
  // show nothing else, so no screen opens only to fail (a reload asks /me, which says so too).
  const forced = !!user?.mustChangePassword && location.pathname !== FORCED_PASSWORD_PATH
  // Then, where the school requires one, the second factor: the server refuses the rest until it is set up.
  const forcedSetup = !forced && !user?.mustChangePassword && !!user?.mustEnrolSecondFactor && location.pathname !== FORCED_SECOND_FACTOR_PATH
  return (
    <AuthContext.Provider value={value}>
      {forced
        ? <Navigate to={`${FORCED_PASSWORD_PATH}?next=${encodeURIComponent(headedTo(location.pathname, location.search))}`} replace />
        : forcedSetup
          ? <Navigate to={`${FORCED_SECOND_FACTOR_PATH}?next=${encodeURIComponent(headedTo(location.pathname, location.search))}`} replace />
          : children}
    </AuthContext.Provider>
  )
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext)
  if (!ctx) throw new Error('useAuth outside AuthProvider')
  return ctx
}
