import { useState, type ReactNode } from 'react'
import { Alert, App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd'
import { FileExcelOutlined, PrinterOutlined } from '@ant-design/icons'
import { useI18n, type Translate } from '../../i18n'
import { formatDate, formatDateTime } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, download, showHtml } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { useFailure } from '../practices/shared'

type Encrypted = 'all' | 'some' | 'none' | 'unknown'

interface Group {
  group: string
  fields: string[]
  encrypted: Encrypted
  readers: Array<{ role: string; scope: string; actions: string[] }>
  writers: string[]
}

interface Report {
  school: { name: string; code: string }
  year: number
  period: { from: string; to: string; timeZone: string }
  generatedAt: string
  inventory: Array<{ resource: string; table: string; records: number; aboutStudents: boolean; sensitive: boolean; groups: Group[] }>
  access: {
    total: number
    byRolePurposeAction: Array<{ roles: string; purpose: string | null; action: string; count: number }>
    byResourceAction: Array<{ resource: string; action: string; count: number }>
  }
  denied: { total: number; rows: Array<{ roles: string; resource: string; outcome: string; count: number }> }
  exports: { total: number; rows: Array<{ roles: string; resource: string; count: number }> }
  transfers: { total: number; rows: Array<{ resource: string; action: string; outcome: string; count: number }> }
  retention: { archiveAfterDays: number; purgeAfterDays: number; events: number; records: number; rows: Array<{ resource: string; events: number; records: number }> }
  secondFactor: { setting: 'on' | 'off' | 'default'; required: boolean; byRole: Array<{ role: string; users: number; enabled: number }>; total: { users: number; enabled: number } }
  auditChain: { ok: boolean; checked: number; firstBrokenSeq: number | null; schoolRowsInYear: number; checkedAt: string }
}

const ENCRYPTED_COLOUR: Record<Encrypted, string> = { all: 'green', some: 'gold', none: 'default', unknown: 'default' }

/** Words for the roles an audit row names ("psych_teacher,mentor") and for the system's own jobs (job:retention). */
function rolesText(codes: string, label: (prefix: string, v: unknown) => string, t: Translate, has: (key: string) => boolean): string {
  return codes.split(',').filter(Boolean).map((r) => {
    if (r.startsWith('job:')) {
      const key = `compliance.job.${r.slice(4)}`
      return has(key) ? t(key as 'compliance.job') : t('compliance.job')
    }
    return label('role', r)
  }).join('、') || t('compliance.unknownRole')
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${Math.round((a / b) * 1000) / 10}%`)

/** The schools' zone in words where it has a common name. */
const zoneName = (tz: string, locale: string) => (tz === 'Asia/Shanghai' ? (locale === 'en' ? 'Beijing' : '北京') : tz)

/**
 * 合规审计 (school admin): the yearly report of how the school processes pupils' personal
 * information — counts only, in five sections as the printed report has them — with the
 * exports as .xlsx and as an A4 page.
 */
export default function CompliancePage() {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const fail = useFailure()
  const thisYear = new Date().getFullYear()
  const [year, setYear] = useState(thisYear)
  const report = useApi<Report>(routes.complianceReport, { year })
  const has = (key: string) => t(key as 'compliance.job') !== key
  const roles = (codes: string) => rolesText(codes, label, t, has)
  // A record's own words for a group first (fieldGroup.<resource>.<group>), then the common ones.
  const groupName = (resource: string, group: string) => (has(`fieldGroup.${resource}.${group}`) ? label(`fieldGroup.${resource}`, group) : label('fieldGroup', group))

  async function print() {
    const w = window.open('', '_blank')
    if (!w) {
      message.warning(t('compliance.popupBlocked'))
      return
    }
    try {
      const html = await api<string>(routes.compliancePrint, { query: { year } })
      showHtml(w, html)
      message.info(t('compliance.printHint'))
    } catch (e) {
      w.close()
      fail(e)
    }
  }
  const exportXlsx = async () => { await download(routes.complianceXlsx, `compliance-${year}.xlsx`, { year }).catch(fail) }

  const sub = (title: string, extra: ReactNode, testId: string, body: ReactNode) => (
    <div data-testid={testId} style={{ marginTop: 12 }}>
      <Typography.Title level={3} style={{ fontSize: 15 }}>{title} <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }}>{extra}</Typography.Text></Typography.Title>
      {body}
    </div>
  )
  const count = { key: 'count', title: t('compliance.col.count'), dataIndex: 'count', align: 'right' as const, width: 90 }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('compliance.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('compliance.help')}</Typography.Paragraph>
      <Card size="small">
        <Space wrap align="center">
          <span>{t('compliance.year')}</span>
          <Select style={{ minWidth: 120 }} aria-label={t('compliance.year')} value={year} onChange={setYear} data-testid="year-pick"
            options={Array.from({ length: 5 }, (_, i) => thisYear - i).map((y) => ({ value: y, label: t('compliance.yearLabel', { year: y }) }))} />
          <Button icon={<FileExcelOutlined aria-hidden />} onClick={() => void exportXlsx()} data-testid="export-xlsx">{t('compliance.exportXlsx')}</Button>
          <Button icon={<PrinterOutlined aria-hidden />} onClick={() => void print()} data-testid="print">{t('compliance.print')}</Button>
        </Space>
      </Card>
      <Section loaded={report}>
        {(r) => (
          <>
            <Card size="small">
              <Typography.Paragraph strong style={{ marginBottom: 4 }}>{r.school.name}</Typography.Paragraph>
              <Typography.Paragraph style={{ marginBottom: 4 }} data-testid="period">
                {t('compliance.period', { from: formatDate(r.period.from, locale), to: formatDate(r.period.to, locale), tz: zoneName(r.period.timeZone, locale), at: formatDateTime(r.generatedAt, locale) })}
              </Typography.Paragraph>
              <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('compliance.basis')}</Typography.Paragraph>
            </Card>

            <Card size="small" title={t('compliance.s1')} data-testid="compliance-s1">
              <Typography.Paragraph type="secondary">{t('compliance.s1Help')}</Typography.Paragraph>
              <Table size="small" bordered rowKey="resource" dataSource={r.inventory} pagination={{ pageSize: 8, hideOnSinglePage: true, showSizeChanger: false }} scroll={{ x: 'max-content' }} data-testid="inventory"
                columns={[
                  { key: 'resource', title: t('compliance.col.resource'), width: 160, render: (_: unknown, e) => (
                    <Space direction="vertical" size={2}>
                      <span>{label('resource', e.resource)}</span>
                      {e.aboutStudents && <Tag color="blue">{t('compliance.aboutStudents')}</Tag>}
                    </Space>
                  ) },
                  { key: 'records', title: t('compliance.col.records'), dataIndex: 'records', align: 'right', width: 100 },
                  { key: 'sensitive', title: t('compliance.col.sensitive'), width: 100, render: (_: unknown, e) => (e.sensitive ? <Tag color="red">{t('compliance.sensitiveYes')}</Tag> : t('compliance.sensitiveNo')) },
                  { key: 'groups', title: `${t('compliance.col.group')} · ${t('compliance.col.fields')} · ${t('compliance.col.encrypted')}`, render: (_: unknown, e) => (
                    <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                      {e.groups.map((g) => (
                        <li key={g.group}>
                          <strong>{groupName(e.resource, g.group)}</strong>：{g.fields.map((f) => label('field', f)).join('、')}
                          {(g.encrypted === 'all' || g.encrypted === 'some') && <>{' '}<Tag color={ENCRYPTED_COLOUR[g.encrypted]}>{t(`compliance.encrypted.${g.encrypted}`)}</Tag></>}
                        </li>
                      ))}
                    </ul>
                  ) },
                ]} />
            </Card>

            <Card size="small" title={t('compliance.s2')} data-testid="compliance-s2">
              <Typography.Paragraph type="secondary">{t('compliance.s2Help')}</Typography.Paragraph>
              <Table size="small" bordered rowKey="resource" dataSource={r.inventory} pagination={{ pageSize: 8, hideOnSinglePage: true, showSizeChanger: false }} scroll={{ x: 'max-content' }} data-testid="rights"
                columns={[
                  { key: 'resource', title: t('compliance.col.resource'), width: 160, render: (_: unknown, e) => label('resource', e.resource) },
                  { key: 'groups', title: `${t('compliance.col.group')} · ${t('compliance.col.readers')} · ${t('compliance.col.writers')}`, render: (_: unknown, e) => (
                    <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                      {e.groups.map((g) => (
                        <li key={g.group}>
                          <strong>{groupName(e.resource, g.group)}</strong>：
                          {g.readers.length ? g.readers.map((x) => `${label('role', x.role)}（${label('scope', x.scope)}）`).join('、') : t('compliance.notReadable')}
                          {g.writers.length > 0 && <Typography.Text type="secondary">；{t('compliance.col.writers')}：{g.writers.map((x) => label('role', x)).join('、')}</Typography.Text>}
                        </li>
                      ))}
                    </ul>
                  ) },
                ]} />
            </Card>

            <Card size="small" title={t('compliance.s3')} data-testid="compliance-s3">
              <Typography.Paragraph type="secondary">{t('compliance.s3Help')}</Typography.Paragraph>
              {sub(t('compliance.byPurpose'), t('compliance.accessTotal', { n: r.access.total }), 'by-purpose',
                <Table size="small" bordered pagination={false} dataSource={r.access.byRolePurposeAction} rowKey={(x) => `${x.roles}|${x.purpose ?? ''}|${x.action}`}
                  locale={{ emptyText: t('compliance.none') }}
                  columns={[
                    { key: 'roles', title: t('compliance.col.roles'), render: (_: unknown, x) => roles(x.roles) },
                    { key: 'purpose', title: t('compliance.col.purpose'), render: (_: unknown, x) => x.purpose ?? t('compliance.noPurpose') },
                    { key: 'action', title: t('compliance.col.action'), render: (_: unknown, x) => label('auditAction', x.action) },
                    count,
                  ]} />)}
              {sub(t('compliance.byResource'), '', 'by-resource',
                <Table size="small" bordered pagination={false} dataSource={r.access.byResourceAction} rowKey={(x) => `${x.resource}|${x.action}`}
                  locale={{ emptyText: t('compliance.none') }}
                  columns={[
                    { key: 'resource', title: t('compliance.col.resource'), render: (_: unknown, x) => label('resource', x.resource) },
                    { key: 'action', title: t('compliance.col.action'), render: (_: unknown, x) => label('auditAction', x.action) },
                    count,
                  ]} />)}
              {sub(t('compliance.denied'), t('compliance.deniedTotal', { n: r.denied.total }), 'denied',
                <Table size="small" bordered pagination={false} dataSource={r.denied.rows} rowKey={(x) => `${x.roles}|${x.resource}|${x.outcome}`}
                  locale={{ emptyText: t('compliance.none') }}
                  columns={[
                    { key: 'roles', title: t('compliance.col.roles'), render: (_: unknown, x) => roles(x.roles) },
                    { key: 'resource', title: t('compliance.col.resource'), render: (_: unknown, x) => label('resource', x.resource) },
                    { key: 'outcome', title: t('compliance.col.outcome'), render: (_: unknown, x) => label('auditOutcome', x.outcome) },
                    count,
                  ]} />)}
              {sub(t('compliance.exports'), t('compliance.exportsTotal', { n: r.exports.total }), 'exports',
                <Table size="small" bordered pagination={false} dataSource={r.exports.rows} rowKey={(x) => `${x.roles}|${x.resource}`}
                  locale={{ emptyText: t('compliance.none') }}
                  columns={[
                    { key: 'roles', title: t('compliance.col.roles'), render: (_: unknown, x) => roles(x.roles) },
                    { key: 'resource', title: t('compliance.col.resource'), render: (_: unknown, x) => label('resource', x.resource) },
                    count,
                  ]} />)}
              {sub(t('compliance.transfers'), t('compliance.transfersTotal', { n: r.transfers.total }), 'transfers',
                <Table size="small" bordered pagination={false} dataSource={r.transfers.rows} rowKey={(x) => `${x.resource}|${x.action}|${x.outcome}`}
                  locale={{ emptyText: t('compliance.none') }}
                  columns={[
                    { key: 'resource', title: t('compliance.col.resource'), render: (_: unknown, x) => label('resource', x.resource) },
                    { key: 'action', title: t('compliance.col.action'), render: (_: unknown, x) => label('auditAction', x.action) },
                    { key: 'outcome', title: t('compliance.col.outcome'), render: (_: unknown, x) => label('auditOutcome', x.outcome) },
                    count,
                  ]} />)}
              {sub(t('compliance.retention'), '', 'retention',
                <>
                  <Typography.Paragraph>
                    {t('compliance.retentionSettings', { archive: r.retention.archiveAfterDays, purge: r.retention.purgeAfterDays })}
                    {locale === 'en' ? ' ' : ''}
                    {t('compliance.retentionTotal', { events: r.retention.events, records: r.retention.records })}
                  </Typography.Paragraph>
                  {r.retention.rows.length > 0 && (
                    <Table size="small" bordered pagination={false} dataSource={r.retention.rows} rowKey="resource"
                      columns={[
                        { key: 'resource', title: t('compliance.col.resource'), render: (_: unknown, x) => label('resource', x.resource) },
                        { key: 'events', title: t('compliance.col.events'), dataIndex: 'events', align: 'right', width: 110 },
                        { key: 'records', title: t('compliance.col.deleted'), dataIndex: 'records', align: 'right', width: 110 },
                      ]} />
                  )}
                </>)}
            </Card>

            <Card size="small" title={t('compliance.s4')} data-testid="compliance-s4">
              <Typography.Paragraph>
                {t('compliance.factor.setting', {
                  setting: r.secondFactor.setting === 'default'
                    ? t('compliance.factor.default', { state: t(r.secondFactor.required ? 'compliance.factor.defaultOn' : 'compliance.factor.defaultOff') })
                    : t(`compliance.factor.${r.secondFactor.setting}`),
                })}
              </Typography.Paragraph>
              <Table size="small" bordered pagination={false} rowKey="role" data-testid="second-factor"
                dataSource={[...r.secondFactor.byRole, { role: '', ...r.secondFactor.total }]}
                columns={[
                  { key: 'role', title: t('compliance.col.roles'), render: (_: unknown, x) => (x.role ? label('role', x.role) : <strong>{t('compliance.factor.total')}</strong>) },
                  { key: 'users', title: t('compliance.col.users'), dataIndex: 'users', align: 'right', width: 120 },
                  { key: 'enabled', title: t('compliance.col.enabled'), dataIndex: 'enabled', align: 'right', width: 150 },
                  { key: 'coverage', title: t('compliance.col.coverage'), align: 'right', width: 100, render: (_: unknown, x) => pct(x.enabled, x.users) },
                ]} />
            </Card>

            <Card size="small" title={t('compliance.s5')} data-testid="compliance-s5">
              <Alert type={r.auditChain.ok ? 'success' : 'error'} showIcon
                title={r.auditChain.ok
                  ? t('compliance.chainOk', { checked: r.auditChain.checked })
                  : t('compliance.chainBroken', { seq: r.auditChain.firstBrokenSeq ?? '', checked: r.auditChain.checked })} />
              <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
                {t('compliance.chainSchoolRows', { n: r.auditChain.schoolRowsInYear, at: formatDateTime(r.auditChain.checkedAt, locale) })}
              </Typography.Paragraph>
            </Card>
          </>
        )}
      </Section>
    </div>
  )
}
