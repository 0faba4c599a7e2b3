import { useState } from 'react'
import { Alert, App, Button, Card, Drawer, Form, Input, Select, Space, Table, Tag, Typography } from 'antd'
import { KeyOutlined, PlusOutlined, ReloadOutlined, SafetyOutlined, TeamOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import { api, ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { useAuth } from '../../api/session'
import { formatDateTime, Section } from '../../components/common'
import { asApiError, FormDialog, useRequired, WriteError, Popconfirm } from '../../components/forms'
import type { Row } from '../../components/records'

/** Roles a school admin may grant (the API's AssignableRoles); the first two are bound to a class. */
const ROLES = ['psych_teacher', 'homeroom_teacher', 'peer_monitor', 'mentor', 'school_admin'] as const
const CLASS_ROLES = new Set<string>(['homeroom_teacher', 'peer_monitor'])
const PAGE_SIZE = 20

/**
 * 16 characters without look-alikes (0/O, 1/l/I): read aloud or copied from a note without
 * mistakes. Drawn again until it has a letter and a digit, which the server requires (about
 * one draw in twelve has no digit).
 */
function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    const p = [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
    if (/\d/.test(p) && /[A-Za-z]/.test(p)) return p
  }
}

interface Grant { role: string; classId?: string }

function useClasses() {
  const classes = useApi<Page<Row>>(routes.classes, { limit: 500 })
  const items = (classes.data?.items ?? []).slice().sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh-CN'))
  const name = new Map(items.map((c) => [String(c.id), String(c.name)]))
  return { options: items.map((c) => ({ value: String(c.id), label: String(c.name) })), name }
}

/** Role + class pickers; the class appears only for the roles that are bound to one. */
function GrantFields({ classOptions, prefix, optional }: { classOptions: Array<{ value: string; label: string }>; prefix?: string; optional?: boolean }) {
  const { t } = useI18n()
  const required = useRequired()
  const form = Form.useFormInstance()
  const role = Form.useWatch('role', form) as string | undefined
  const id = prefix ?? 'grant'
  return (
    <>
      <Form.Item name="role" label={t('accounts.role')} htmlFor={`${id}-role`} rules={optional ? [] : required(t('accounts.role'))}>
        <Select id={`${id}-role`} allowClear={optional} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))} />
      </Form.Item>
      {role === 'psych_teacher' && <Alert type="warning" showIcon title={t('accounts.psychNotice')} style={{ marginBottom: 16 }} />}
      {role && CLASS_ROLES.has(role) && (
        <Form.Item name="classId" label={t('accounts.class')} htmlFor={`${id}-class`} rules={[{ required: true, message: t('accounts.classRequired') }]}>
          <Select id={`${id}-class`} showSearch={{ optionFilterProp: 'label' }} options={classOptions} />
        </Form.Item>
      )}
    </>
  )
}

/** The roles of one account: revoke each, grant another. */
function RolesDrawer({ user, onClose, className }: { user: Row; onClose: () => void; className: Map<string, string> }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const roles = useApi<Row[] | Page<Row>>(routes.userRoles(String(user.id)))
  const classes = useClasses()
  const [form] = Form.useForm<Grant>()
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const list = Array.isArray(roles.data) ? roles.data : roles.data?.items ?? []

  async function grant(v: Grant) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.userRoles(String(user.id)), { method: 'POST', body: CLASS_ROLES.has(v.role) ? v : { role: v.role } })
      message.success(t('accounts.granted'))
      form.resetFields()
      roles.reload()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  async function revoke(id: string) {
    setError(null)
    try {
      await api(routes.userRole(id), { method: 'DELETE' })
      message.success(t('accounts.revoked'))
      roles.reload()
    } catch (e) {
      setError(asApiError(e))
    }
  }

  return (
    <Drawer open title={t('accounts.rolesOf', { name: String(user.displayName ?? user.username) })} onClose={onClose} size={480} data-testid="roles-drawer">
      <Section loaded={roles}>
        {() => list.length === 0
          ? <Alert type="info" showIcon title={t('accounts.noRoles')} />
          : (
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={list} pagination={false} data-testid="role-list"
              columns={[
                { key: 'role', title: t('accounts.role'), render: (_: unknown, r: Row) => t(`role.${String(r.role)}` as MessageKey) },
                { key: 'class', title: t('accounts.class'), render: (_: unknown, r: Row) => className.get(asText(r.classId)) ?? '—' },
                { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                  <Popconfirm title={t('accounts.revokeConfirm')} okText={t('accounts.revoke')} cancelText={t('common.cancel')} onConfirm={() => revoke(String(r.id))}>
                    <Button size="small" danger>{t('accounts.revoke')}</Button>
                  </Popconfirm>
                ) },
              ]} />
          )}
      </Section>
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>{t('accounts.addRole')}</Typography.Title>
      <Form<Grant> form={form} layout="vertical" onFinish={(v) => void grant(v)} disabled={busy} data-testid="grant-form">
        <GrantFields classOptions={classes.options} />
        {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
        <Button type="primary" htmlType="submit" loading={busy}>{t('accounts.addRole')}</Button>
      </Form>
    </Drawer>
  )
}

interface NewAccount { username: string; displayName: string; password: string; role?: string; classId?: string }

interface SchoolSecondFactor { required: boolean | null; deploymentDefault: boolean; effective: boolean }

/** Whether the school requires a second factor of its psychology teachers and admins (or follows the system's default). */
function SchoolSecondFactorCard() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const setting = useApi<SchoolSecondFactor>(routes.schoolSecondFactor)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  async function choose(v: string) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.schoolSecondFactor, { method: 'PUT', body: { required: v === 'on' ? true : v === 'off' ? false : null } })
      message.success(t('tfa.schoolSaved'))
      setting.reload()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card size="small" title={t('tfa.schoolTitle')} data-testid="school-second-factor">
      <Section loaded={setting}>
        {(s) => (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text type="secondary">{t('tfa.schoolHelp')}</Typography.Text>
            <Select style={{ minWidth: 280 }} aria-label={t('tfa.schoolTitle')} disabled={busy}
              value={s.required === null ? 'default' : s.required ? 'on' : 'off'} onChange={(v: string) => void choose(v)}
              options={[
                { value: 'default', label: t('tfa.schoolDefault', { value: t(s.deploymentDefault ? 'tfa.schoolOn' : 'tfa.schoolOff') }) },
                { value: 'on', label: t('tfa.schoolOn') },
                { value: 'off', label: t('tfa.schoolOff') },
              ]} />
            {error && <WriteError error={error} />}
          </Space>
        )}
      </Section>
    </Card>
  )
}

/** 账号与角色 (school admin): the school's staff accounts, their roles and status. */
export default function AccountsPage() {
  const { t, locale } = useI18n()
  const { message, modal } = App.useApp()
  const { user } = useAuth()
  const required = useRequired()
  const [q, setQ] = useState('')
  const [status, setStatus] = useState<string | undefined>()
  const [offset, setOffset] = useState(0)
  const [creating, setCreating] = useState(false)
  const [rolesOf, setRolesOf] = useState<Row | null>(null)
  const [password, setPassword] = useState(generatePassword)
  const users = useApi<Page<Row>>(routes.users, { limit: PAGE_SIZE, offset, ...(q ? { q } : {}), ...(status ? { status } : {}) })
  const classes = useClasses()

  /** A one-time password from the server, shown once here to hand over; its owner must replace it. */
  async function resetPassword(u: Row) {
    const name = String(u.displayName ?? u.username)
    try {
      const r = await api<{ oneTimePassword: string }>(routes.userPasswordReset(String(u.id)), { method: 'POST' })
      modal.success({
        title: t('account.resetDone', { name }),
        content: (
          <>
            <Typography.Paragraph copyable={{ text: r.oneTimePassword }} data-testid="reset-password">{t('account.resetPassword', { password: r.oneTimePassword })}</Typography.Paragraph>
            <Typography.Paragraph type="secondary">{t('account.resetHandOver')}</Typography.Paragraph>
          </>
        ),
      })
      users.reload()
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e))
    }
  }

  /** A lost or new phone: the colleague's second factor is removed; they are signed out and told. */
  async function resetSecondFactor(u: Row) {
    const name = String(u.displayName ?? u.username)
    try {
      await api(routes.userSecondFactorReset(String(u.id)), { method: 'POST' })
      message.success(t('tfa.resetDone', { name }))
      users.reload()
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e))
    }
  }

  async function setUserStatus(u: Row, next: 'active' | 'disabled') {
    try {
      await api(routes.user(String(u.id)), { method: 'PATCH', body: { status: next } })
      message.success(t('common.saved'))
      users.reload()
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e))
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('accounts.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('accounts.help')}</Typography.Paragraph>
      <SchoolSecondFactorCard />
      <Space wrap>
        <Input.Search allowClear placeholder={t('accounts.search')} aria-label={t('accounts.search')} style={{ width: 260 }}
          onSearch={(v) => { setOffset(0); setQ(v.trim()) }} data-testid="account-search" />
        <Select allowClear placeholder={t('accounts.allStatuses')} aria-label={t('common.status')} style={{ width: 140 }} value={status}
          onChange={(v: string | undefined) => { setOffset(0); setStatus(v) }}
          options={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`accounts.status.${s}`) }))} />
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => { setPassword(generatePassword()); setCreating(true) }} data-testid="new-account">{t('accounts.new')}</Button>
      </Space>
      <Section loaded={users}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="accounts" scroll={{ x: 'max-content' }}
            pagination={{ current: Math.floor(offset / PAGE_SIZE) + 1, pageSize: PAGE_SIZE, total: p.total, showSizeChanger: false,
              showTotal: (n) => t('common.total', { n }), onChange: (page) => setOffset((page - 1) * PAGE_SIZE) }}
            columns={[
              { key: 'displayName', title: t('accounts.displayName'), dataIndex: 'displayName' },
              { key: 'username', title: t('accounts.username'), dataIndex: 'username' },
              { key: 'status', title: t('common.status'), render: (_: unknown, r: Row) => (
                <>
                  <Tag color={r.status === 'active' ? 'green' : 'default'}>{t(`accounts.status.${r.status === 'active' ? 'active' : 'disabled'}`)}</Tag>
                  {r.mustChangePassword === true && <Tag color="orange">{t('account.mustChange')}</Tag>}
                </>
              ) },
              { key: 'tfa', title: t('tfa.column'), render: (_: unknown, r: Row) => (
                <Tag color={r.totpEnabledAt ? 'green' : 'default'}>{t(r.totpEnabledAt ? 'tfa.on' : 'tfa.off')}</Tag>
              ) },
              { key: 'createdAt', title: t('accounts.createdAt'), render: (_: unknown, r: Row) => formatDateTime(r.createdAt, locale).slice(0, 10) },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space>
                  <Button size="small" icon={<TeamOutlined aria-hidden />} onClick={() => setRolesOf(r)}>{t('accounts.manageRoles')}</Button>
                  {r.id !== user?.id && (
                    <Popconfirm title={t('account.resetConfirm', { name: String(r.displayName ?? r.username) })} okText={t('account.reset')} cancelText={t('common.cancel')}
                      onConfirm={() => resetPassword(r)}>
                      <Button size="small" icon={<KeyOutlined aria-hidden />}>{t('account.reset')}</Button>
                    </Popconfirm>
                  )}
                  {r.id !== user?.id && !!r.totpEnabledAt && (
                    <Popconfirm title={t('tfa.resetConfirm', { name: String(r.displayName ?? r.username) })} okText={t('tfa.reset')} cancelText={t('common.cancel')}
                      onConfirm={() => resetSecondFactor(r)}>
                      <Button size="small" icon={<SafetyOutlined aria-hidden />}>{t('tfa.reset')}</Button>
                    </Popconfirm>
                  )}
                  {r.status === 'active'
                    ? (
                      <Popconfirm title={t('accounts.disableConfirm')} okText={t('accounts.disable')} cancelText={t('common.cancel')} onConfirm={() => setUserStatus(r, 'disabled')}>
                        <Button size="small" danger>{t('accounts.disable')}</Button>
                      </Popconfirm>
                    )
                    : <Button size="small" onClick={() => void setUserStatus(r, 'active')}>{t('accounts.enable')}</Button>}
                </Space>
              ) },
            ]} />
        )}
      </Section>

      <FormDialog<NewAccount> open={creating} title={t('accounts.new')} onClose={() => setCreating(false)} testId="new-account"
        initialValues={{ password }}
        onSubmit={async (v) => {
          const roles = v.role ? [CLASS_ROLES.has(v.role) ? { role: v.role, classId: v.classId } : { role: v.role }] : []
          return api<Row>(routes.users, { method: 'POST', body: { username: v.username.trim(), displayName: v.displayName.trim(), password: v.password, ...(roles.length ? { roles } : {}) } })
            .then((created) => ({ created, password: v.password }))
        }}
        onDone={(result) => {
          const { created, password: given } = result as { created: Row; password: string }
          // The password is shown once more, to copy or write down; the server keeps only its hash.
          modal.success({
            title: t('accounts.created', { username: String(created.username) }),
            content: <Typography.Text copyable={{ text: given }} data-testid="created-password">{t('accounts.createdPassword', { password: given })}</Typography.Text>,
          })
          setOffset(0)
          users.reload()
        }}>
        <Form.Item name="displayName" label={t('accounts.displayName')} rules={required(t('accounts.displayName'))}>
          <Input maxLength={50} autoComplete="off" />
        </Form.Item>
        <Form.Item name="username" label={t('accounts.username')} extra={t('accounts.usernameHelp')}
          rules={[...required(t('accounts.username')), { pattern: /^[A-Za-z0-9._-]{3,64}$/, message: t('accounts.usernameInvalid') }]}>
          <Input maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('accounts.password')} extra={t('accounts.passwordHelp')} required>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="password" noStyle rules={required(t('accounts.password'))}>
              <Input readOnly aria-label={t('accounts.password')} data-testid="initial-password" />
            </Form.Item>
            <NewPasswordButton />
          </Space.Compact>
        </Form.Item>
        <Typography.Text strong>{t('accounts.initialRoles')}</Typography.Text>
        <GrantFields classOptions={classes.options} prefix="new-account" optional />
      </FormDialog>

      {rolesOf && <RolesDrawer user={rolesOf} className={classes.name} onClose={() => { setRolesOf(null); users.reload() }} />}
    </div>
  )
}

function NewPasswordButton() {
  const { t } = useI18n()
  const form = Form.useFormInstance()
  return <Button icon={<ReloadOutlined aria-hidden />} onClick={() => form.setFieldValue('password', generatePassword())}>{t('accounts.regenerate')}</Button>
}
