import { useEffect, useState } from 'react'
import { Badge, Button, Empty, List, Popover, Typography } from 'antd'
import { BellOutlined } from '@ant-design/icons'
import { useNavigate } from 'react-router'
import { useAuth } from '../api/session'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n/messages'
import { api, type Page } from '../api/client'
import { useApi } from '../api/hooks'
import { routes } from '../api/routes'
import { formatDateTime } from '../components/common'
import type { Row } from '../components/records'

/** Where a notification leads: the screen that shows the record it is about. */
const TARGET: Record<string, string> = {
  alert_received: '/psych',
  alert_escalated: '/psych',
  crisis_escalated: '/crises',
  talk_concerned: '/psych',
  referral_overdue: '/psych',
  screening_reminder: '/campaigns',
}
const KNOWN = new Set(['alert_received', 'alert_escalated', 'crisis_escalated', 'talk_concerned', 'referral_overdue', 'screening_reminder', 'case_role_granted', 'audit_failed'])
const POLL_MS = 60_000

/** The bell in the header: unread count, the latest notifications, a click opens the record's screen. */
export default function NotificationBell() {
  const { t, locale } = useI18n()
  const navigate = useNavigate()
  const { roles } = useAuth()
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
    // A grant of case access is news for the admins (their accounts screen) and the psychology teachers alike.
    const to = n.kind === 'case_role_granted' ? (roles.includes('school_admin') ? '/accounts' : '/psych') : TARGET[String(n.kind)]
    if (to) void navigate(to)
  }

  const content = (
    <div style={{ width: 340, maxHeight: 420, overflowY: 'auto' }} data-testid="notification-list">
      {(list.data?.items.length ?? 0) === 0
        ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notify.none')} />
        : (
          <List<Row> size="small" dataSource={list.data?.items ?? []} renderItem={(n) => (
            <List.Item style={{ cursor: 'pointer' }} onClick={() => void openOne(n)} data-unread={n.readAt ? undefined : 'true'}>
              <List.Item.Meta
                title={<Typography.Text strong={!n.readAt}>{t(KNOWN.has(String(n.kind)) ? `notify.${String(n.kind)}` as MessageKey : 'notify.other')}</Typography.Text>}
                description={formatDateTime(n.createdAt, locale)} />
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
