import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'
import { useLocation, useNavigate } from 'react-router'
import { api, currentUser, login as apiLogin, logout as apiLogout, onSession, updateUser, type PublicUser } from './client'

interface Auth {
  user: PublicUser | null
  roles: string[]
  /** The first grant of a role (e.g. the homeroom teacher's class). */
  grant(role: string): PublicUser['roles'][number] | undefined
  login(username: string, password: string): Promise<PublicUser>
  logout(): Promise<void>
}

const AuthContext = createContext<Auth | null>(null)

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<PublicUser | null>(currentUser())
  const navigate = useNavigate()
  const location = useLocation()

  useEffect(() => onSession((u, why) => {
    setUser(u)
    if (why === 'expired') {
      const next = window.location.pathname + window.location.search
      navigate(`/login?expired=1&next=${encodeURIComponent(next)}`, { replace: true })
    }
  }), [navigate])

  // Roles can change while a tab is open: ask the server who we are once per page load.
  useEffect(() => {
    if (!currentUser()) return
    api<PublicUser>('/auth/me').then(updateUser).catch(() => { /* expiry is handled by the client */ })
  }, [])

  const value: Auth = {
    user,
    roles: [...new Set(user?.roles.map((r) => r.role) ?? [])],
    grant: (role) => user?.roles.find((r) => r.role === role),
    login: apiLogin,
    logout: async () => {
      await apiLogout()
      navigate('/login', { replace: true, state: { from: location.pathname } })
    },
  }
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext)
  if (!ctx) throw new Error('useAuth outside AuthProvider')
  return ctx
}
