import { useState } from 'react'
import { Alert, App, Button, Modal, Space, Table, Tag, Typography } from 'antd'
import { useI18n } from '../i18n'
import { useApi } from '../api/hooks'
import { api, type ApiError } from '../api/client'
import { routes } from '../api/routes'
import { formatDateTime, Section } from '../components/common'
import { asApiError, WriteError, Popconfirm } from '../components/forms'

interface Session { id: string; createdAt: string; lastActiveAt: string; current: boolean }

/**
 * 登录设备 for every role: where this account is still signed in, each ended on its own or
 * all but this one at once. The server keeps no device names or addresses, so a sign-in is
 * told apart by its times only; an ended one is refused at its very next request.
 */
export default function SessionsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  return (
    <Modal open={open} title={t('account.sessionsTitle')} onCancel={onClose} footer={null} destroyOnHidden width={620} data-testid="sessions-dialog">
      {open && <SessionList />}
    </Modal>
  )
}

function SessionList() {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const sessions = useApi<{ items: Session[] }>(routes.mySessions)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)

  async function run(work: () => Promise<string>) {
    setBusy(true)
    setError(null)
    try {
      message.success(await work())
      sessions.reload()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Paragraph type="secondary">{t('account.sessionsHelp')}</Typography.Paragraph>
      {error && <WriteError error={error} />}
      <Section loaded={sessions}>
        {({ items }) => {
          const others = items.filter((s) => !s.current)
          // This device first, then the others by their last activity (as the server orders them).
          const rows = [...items.filter((s) => s.current), ...others]
          return (
            <>
              <Table<Session> size="small" rowKey="id" dataSource={rows} pagination={false} data-testid="session-list"
                rowClassName={(s) => (s.current ? 'xa-session-current' : '')}
                columns={[
                  { key: 'who', title: '', render: (_: unknown, s: Session) => (s.current
                    ? <Tag color="blue">{t('account.thisDevice')}</Tag>
                    : <Tag>{t('account.otherDevice')}</Tag>) },
                  { key: 'createdAt', title: t('account.signedInAt'), render: (_: unknown, s: Session) => formatDateTime(s.createdAt, locale) },
                  { key: 'lastActive', title: <span title={t('account.lastActiveHelp')}>{t('account.lastActive')}</span>, render: (_: unknown, s: Session) => formatDateTime(s.lastActiveAt, locale) },
                  { key: 'actions', title: t('common.actions'), render: (_: unknown, s: Session) => (s.current ? null : (
                    <Popconfirm title={t('account.endConfirm')} okText={t('account.end')} cancelText={t('common.cancel')}
                      onConfirm={() => run(async () => { await api(routes.mySession(s.id), { method: 'DELETE' }); return t('account.endedOne') })}>
                      <Button size="small" danger disabled={busy}>{t('account.end')}</Button>
                    </Popconfirm>
                  )) },
                ]} />
              <Space style={{ marginTop: 16, width: '100%', justifyContent: 'space-between' }} wrap>
                <Typography.Text type="secondary">{t('account.lastActiveHelp')}</Typography.Text>
                {others.length === 0
                  ? <Alert type="success" showIcon title={t('account.noOthers')} />
                  : (
                    <Popconfirm title={t('account.endOthersConfirm')} okText={t('account.endOthers')} cancelText={t('common.cancel')}
                      onConfirm={() => run(async () => {
                        const r = await api<{ ended: number }>(routes.endOtherSessions, { method: 'POST' })
                        return t('account.ended', { n: r.ended })
                      })}>
                      <Button danger disabled={busy} data-testid="end-other-sessions">{t('account.endOthers')}</Button>
                    </Popconfirm>
                  )}
              </Space>
            </>
          )
        }}
      </Section>
    </div>
  )
}
