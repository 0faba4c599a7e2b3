import { useEffect, useState } from 'react'
import { App, Badge, Button, Empty, List, Popover, Typography } from 'antd'
import { BellOutlined } from '@ant-design/icons'
import { useNavigate } from 'react-router'
import { useAuth } from '../api/session'
import { useI18n } from '../i18n'
import type { Locale } from '../i18n'
import type { MessageKey } from '../i18n/messages'
import { api, ApiError, type Page } from '../api/client'
import { useApi } from '../api/hooks'
import { routes } from '../api/routes'
import { formatDateTime } from '../components/common'
import type { Row } from '../components/records'

/**
 * Where a notification leads: the page of the record it is about (refId), or the list that
 * holds it when the notification names no record the recipient may open (an admin's crisis
 * escalation, a reminder that no campaign exists yet). A referral is shown on its case.
 */
async function targetOf(n: Row, roles: readonly string[]): Promise<string | null> {
  const ref = typeof n.refId === 'string' ? n.refId : null
  // Escalations reach the admins too, without the record (they may not open it): nothing to open then.
  const psych = roles.includes('psych_teacher')
  switch (n.kind) {
    case 'alert_received':
    case 'alert_escalated':
    case 'talk_concerned':
      return ref ? `/alerts/${ref}` : psych ? '/psych' : null
    case 'crisis_escalated':
      return ref ? `/crises/${ref}` : psych ? '/crises' : null
    case 'referral_overdue': {
      if (!ref) return psych ? '/psych' : null
      const r = await api<Row>(routes.referral(ref))
      return typeof r.caseId === 'string' ? `/cases/${r.caseId}` : typeof r.studentId === 'string' ? `/students/${r.studentId}` : '/psych'
    }
    case 'screening_reminder':
      return ref ? `/campaigns/${ref}` : '/campaigns'
    // A grant of case access is news for the admins (their accounts screen) and the psychology teachers alike.
    case 'case_role_granted':
      return roles.includes('school_admin') ? '/accounts' : null
    case 'rectification_overdue':
      return '/rectification'
    case 'second_factor_reset':
      return '/account-security'
    case 'transfer_received':
    case 'transfer_reminder':
      return psych ? '/transfers?tab=received' : null
    case 'transfer_accepted':
    case 'transfer_declined':
      return psych ? '/transfers' : null
    default:
      return null
  }
}
const KNOWN = new Set(['alert_received', 'alert_escalated', 'crisis_escalated', 'talk_concerned', 'referral_overdue', 'screening_reminder', 'case_role_granted', 'audit_failed', 'rectification_overdue', 'second_factor_reset', 'transfer_received', 'transfer_accepted', 'transfer_declined', 'transfer_reminder'])
const POLL_MS = 60_000

/** A screening reminder says which: none this year yet, one starting soon, or one closing soon. */
function titleKey(n: Row): MessageKey {
  const reason = (n.params as { reason?: unknown } | null | undefined)?.reason
  if (n.kind === 'screening_reminder' && (reason === 'starting' || reason === 'closing')) return `psy.notify.screening_${reason}`
  return KNOWN.has(String(n.kind)) ? `notify.${String(n.kind)}` as MessageKey : 'notify.other'
}

/** A 整改 problem past its deadline: which checklist item, and the deadline. */
function rectificationNotes(n: Row, t: (k: MessageKey, p?: Record<string, string | number>) => string, locale: Locale): string[] {
  const p = n.params as { itemCode?: unknown; item?: unknown; deadline?: unknown } | null | undefined
  if (n.kind !== 'rectification_overdue' || typeof p?.itemCode !== 'string' || typeof p.deadline !== 'string') return []
  return [t('rect.notify.detail', { code: p.itemCode, item: typeof p.item === 'string' ? p.item : '', deadline: formatDateTime(p.deadline, locale) })]
}

/** An escalation's step, and that nobody was on call when it went to the psychology teachers instead. */
function escalationNotes(n: Row, t: (k: MessageKey, p?: Record<string, string | number>) => string): string[] {
  const p = n.params as { step?: unknown; onCall?: unknown } | null | undefined
  if (!String(n.kind).endsWith('_escalated') || typeof p?.step !== 'number') return []
  return [t('esc.notify.step', { n: p.step }), ...(p.onCall === 'nobody_on_call' ? [t('esc.notify.nobodyOnCall')] : [])]
}

/** The bell in the header: unread count, the latest notifications, a click opens the record's screen. */
export default function NotificationBell() {
  const { t, locale } = useI18n()
  const navigate = useNavigate()
  const { roles } = useAuth()
  const { message } = App.useApp()
  const [open, setOpen] = useState(false)
  const list = useApi<Page<Row>>(routes.notifications, { limit: 20 })
  const unread = useApi<Page<Row>>(routes.notifications, { limit: 1, unread: 'true' })
  const { reload: reloadList } = list
  const { reload: reloadUnread } = unread
  useEffect(() => {
    const timer = setInterval(() => { reloadUnread(); reloadList() }, POLL_MS)
    return () => clearInterval(timer)
  }, [reloadUnread, reloadList])
  const count = unread.data?.total ?? 0

  async function openOne(n: Row) {
    setOpen(false)
    if (!n.readAt) {
      try {
        await api(routes.notificationRead(String(n.id)), { method: 'POST', body: {} })
      } catch {
        // Marking read is a convenience: the screen opens whether or not it was recorded.
      }
      reloadUnread()
      reloadList()
    }
    try {
      const to = await targetOf(n, roles)
      if (to) void navigate(to)
    } catch (e) {
      message.error(t('psy.notify.openFailed', { message: e instanceof ApiError ? e.message : String(e) }))
    }
  }

  const content = (
    <div style={{ width: 340, maxHeight: 420, overflowY: 'auto' }} data-testid="notification-list">
      {(list.data?.items.length ?? 0) === 0
        ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notify.none')} />
        : (
          <List<Row> size="small" dataSource={list.data?.items ?? []} renderItem={(n) => (
            <List.Item style={{ cursor: 'pointer' }} onClick={() => void openOne(n)} data-unread={n.readAt ? undefined : 'true'}>
              <List.Item.Meta
                title={<Typography.Text strong={!n.readAt}>{t(titleKey(n))}</Typography.Text>}
                description={[formatDateTime(n.createdAt, locale), ...escalationNotes(n, t), ...rectificationNotes(n, t, locale)].join(' · ')} />
            </List.Item>
          )} />
        )}
    </div>
  )

  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="bottomRight" title={t('notify.title')} content={content}>
      <Badge count={count} size="small" overflowCount={99}>
        <Button size="small" shape="circle" icon={<BellOutlined aria-hidden />} aria-label={t('notify.bell', { n: count })} data-testid="notification-bell" />
      </Badge>
    </Popover>
  )
}
