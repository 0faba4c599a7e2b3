import type { MessageKey } from '../i18n/messages'

export interface MenuEntry {
  path: string
  label: MessageKey
}

/**
 * Which screens to offer for which role. This only chooses the menu: whether a request is
 * allowed, and which rows and fields come back, is decided by the API for every call.
 * A user with several roles (a homeroom teacher is also a mentor) gets every entry once.
 */
const MENUS: Array<[role: string, entries: MenuEntry[]]> = [
  ['psych_teacher', [
    { path: '/psych', label: 'nav.psych' },
    { path: '/students', label: 'nav.students' },
    { path: '/campaigns', label: 'nav.campaigns' },
  ]],
  ['homeroom_teacher', [{ path: '/my-class', label: 'nav.myClass' }]],
  ['mentor', [{ path: '/mentor', label: 'nav.mentor' }]],
  ['peer_monitor', [{ path: '/monitor', label: 'nav.monitor' }]],
  ['district_staff', [{ path: '/district', label: 'nav.district' }]],
  ['school_admin', [{ path: '/students', label: 'nav.roster' }]],
]

export function menuFor(roles: readonly string[]): MenuEntry[] {
  const out: MenuEntry[] = []
  for (const [role, entries] of MENUS) {
    if (!roles.includes(role)) continue
    for (const e of entries) if (!out.some((o) => o.path === e.path)) out.push(e)
  }
  return out
}
