import { useState } from 'react'
import { Button, Grid, Layout, Menu, Segmented, Typography } from 'antd'
import { BellOutlined, KeyOutlined, LaptopOutlined, LogoutOutlined, SafetyOutlined } from '@ant-design/icons'
import { Outlet, useLocation, useNavigate } from 'react-router'
import { useI18n, type Locale } from '../i18n'
import { useAuth } from '../api/session'
import { menuFor } from './menu'
import NotificationBell from './NotificationBell'
import PasswordDialog from './PasswordDialog'
import SessionsDialog from './SessionsDialog'
import MyChannelsDialog from './MyChannelsDialog'

export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n()
  return (
    <Segmented<Locale>
      size="small"
      aria-label={t('lang.label')}
      value={locale}
      onChange={setLocale}
      options={[{ label: t('lang.zh'), value: 'zh-CN' }, { label: t('lang.en'), value: 'en' }]}
      data-testid="lang-switch"
    />
  )
}

export default function AppLayout() {
  const { t } = useI18n()
  const { user, roles, logout } = useAuth()
  const navigate = useNavigate()
  const location = useLocation()
  const [changingPassword, setChangingPassword] = useState(false)
  const [viewingSessions, setViewingSessions] = useState(false)
  const [editingChannels, setEditingChannels] = useState(false)
  // Those who get notifications (every teacher role) choose where urgent ones also reach them.
  const alerted = !!user?.schoolId && roles.some((r) => ['psych_teacher', 'homeroom_teacher', 'mentor', 'school_admin'].includes(r))
  const entries = menuFor(roles)
  const selected = entries.filter((e) => location.pathname === e.path || location.pathname.startsWith(`${e.path}/`)).map((e) => e.path)
  // Wide screens list every screen in a side menu (a psychology teacher has ten: a bar across
  // the top would fold some of them under "···"); phones keep the bar in the header.
  const wide = Grid.useBreakpoint().lg ?? true
  const menu = (mode: 'horizontal' | 'inline') => (
    <nav aria-label={t('nav.menu')} className={mode === 'inline' ? 'xa-side-nav' : 'xa-nav'}>
      <Menu
        mode={mode}
        theme={mode === 'inline' ? 'light' : 'dark'}
        selectedKeys={selected}
        items={entries.map((e) => ({ key: e.path, label: t(e.label) }))}
        onClick={({ key }) => { void navigate(key) }}
      />
    </nav>
  )

  return (
    <Layout className="xa-shell">
      <a className="xa-skip" href="#main">{t('app.skip')}</a>
      <Layout.Header className="xa-header">
        <div className="xa-brand" aria-label={`${t('app.name')} — ${t('app.subtitle')}`}>
          <span className="xa-logo" aria-hidden>心</span>
          <span className="xa-brand-name">{t('app.name')}</span>
        </div>
        {!wide && menu('horizontal')}
        <div className="xa-header-tools">
          <span className="xa-user" data-testid="current-user">
            {user?.displayName}
            <span className="xa-roles">{roles.map((r) => t(`role.${r}` as Parameters<typeof t>[0])).join(' · ')}</span>
          </span>
          {user?.schoolId && <NotificationBell />}
          <LanguageSwitch />
          <Button size="small" icon={<KeyOutlined aria-hidden />} onClick={() => setChangingPassword(true)} data-testid="change-password">{t('password.title')}</Button>
          <Button size="small" icon={<LaptopOutlined aria-hidden />} onClick={() => setViewingSessions(true)} data-testid="my-sessions">{t('account.sessions')}</Button>
          <Button size="small" icon={<SafetyOutlined aria-hidden />} onClick={() => { void navigate('/account-security') }} data-testid="account-security">{t('tfa.menu')}</Button>
          {alerted && <Button size="small" icon={<BellOutlined aria-hidden />} onClick={() => setEditingChannels(true)} data-testid="my-channels">{t('myChannels.button')}</Button>}
          <Button size="small" icon={<LogoutOutlined aria-hidden />} onClick={() => void logout()}>{t('nav.logout')}</Button>
        </div>
      </Layout.Header>
      <Layout hasSider={wide && entries.length > 0}>
        {wide && entries.length > 0 && (
          <Layout.Sider width={184} theme="light" className="xa-sider">{menu('inline')}</Layout.Sider>
        )}
        <Layout.Content id="main" tabIndex={-1} className="xa-main">
          {entries.length === 0
            ? <Typography.Paragraph>{t('nav.noRole')}</Typography.Paragraph>
            : <Outlet />}
        </Layout.Content>
      </Layout>
      <PasswordDialog open={changingPassword} onClose={() => setChangingPassword(false)} />
      <SessionsDialog open={viewingSessions} onClose={() => setViewingSessions(false)} />
      <MyChannelsDialog open={editingChannels} onClose={() => setEditingChannels(false)} />
    </Layout>
  )
}
