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
    { path: '/crises', label: 'nav.crises' },
    { path: '/students', label: 'nav.students' },
    { path: '/campaigns', label: 'nav.campaigns' },
    { path: '/care-list', label: 'nav.careList' },
    { path: '/transfers', label: 'nav.transfers' },
    { path: '/peer-watch', label: 'nav.peerWatch' },
    { path: '/home-school', label: 'nav.homeSchool' },
    { path: '/letters', label: 'nav.letters' },
    { path: '/barometer-trend', label: 'nav.barometerTrend' },
    { path: '/room', label: 'nav.room' },
    { path: '/rectification', label: 'nav.rectification' },
    { path: '/self-check', label: 'nav.selfCheck' },
    { path: '/inspection-records', label: 'nav.inspectionRecords' },
    { path: '/lessons', label: 'nav.lessons' },
    { path: '/escalation', label: 'nav.escalation' },
  ]],
  ['homeroom_teacher', [{ path: '/my-class', label: 'nav.myClass' }, { path: '/barometer', label: 'nav.barometer' }, { path: '/inspection-records', label: 'nav.myTrainings' }]],
  ['mentor', [{ path: '/mentor', label: 'nav.mentor' }]],
  ['peer_monitor', [{ path: '/monitor', label: 'nav.monitor' }, { path: '/barometer', label: 'nav.barometer' }]],
  ['district_staff', [{ path: '/district', label: 'nav.district' }]],
  // The school admin: the roster first (their home), then the school's staffing facts, the
  // counselling room's counts for an inspection and the letter box's settings — no case work.
  ['school_admin', [
    { path: '/students', label: 'nav.roster' },
    { path: '/accounts', label: 'nav.accounts' },
    { path: '/school-settings', label: 'nav.schoolSettings' },
    { path: '/staff', label: 'nav.staff' },
    { path: '/room-summary', label: 'nav.roomSummary' },
    { path: '/lessons', label: 'nav.lessons' },
    { path: '/rectification', label: 'nav.rectification' },
    { path: '/self-check', label: 'nav.selfCheck' },
    { path: '/inspection-records', label: 'nav.inspectionRecords' },
    { path: '/box-settings', label: 'nav.boxSettings' },
    { path: '/notification-channels', label: 'nav.channels' },
    { path: '/escalation', label: 'nav.escalation' },
    { path: '/compliance', label: 'nav.compliance' },
  ]],
]

export function menuFor(roles: readonly string[]): MenuEntry[] {
  const out: MenuEntry[] = []
  for (const [role, entries] of MENUS) {
    if (!roles.includes(role)) continue
    for (const e of entries) if (!out.some((o) => o.path === e.path)) out.push(e)
  }
  return out
}
