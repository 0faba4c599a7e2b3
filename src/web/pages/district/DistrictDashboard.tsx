import { useMemo, useState, type ReactNode } from 'react'
import { App, Button, Card, Table, Tabs, Tag, Tooltip, Typography } from 'antd'
import { CheckCircleOutlined, CloseCircleOutlined, DownloadOutlined, EyeInvisibleOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import type { MessageKey } from '../../i18n/messages'
import { useApi, type Loaded } from '../../api/hooks'
import { api, ApiError, download } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { asText, windowLabel as windowWords } from '../../i18n/format'
import { EChart } from '../../components/EChart'
import InspectionSummaryCard from './InspectionSummaryCard'

/**
 * 区域统计 (the fixed district tables). Every number arrives as a cell { value, suppressed }: a
 * withheld count (1–10, or withheld so it cannot be derived) is shown as "已隐去" (withheld)
 * with an icon and an explaining tooltip and legend, never as a number, in the tables and in
 * the chart. The page shows the tables as the API
 * built them; it has no filters, because free slicing would let withheld counts be recovered.
 */

interface Cell { value: number | null; suppressed: boolean }
interface School { schoolId: string; code: string; name: string; stage: string }
interface Column { key: string; colour: string; labelZh: string; labelEn: string }
interface Label { key: string; labelZh: string; labelEn: string }
interface RiskRow { cells: Record<string, Cell>; total: Cell }
interface RiskBody { schools: Array<School & { rows: Array<RiskRow & { level: number; grade: string }>; subtotal: RiskRow }>; total: RiskRow }
interface Envelope<D> { table: string; schoolYear: string; previousSchoolYear: string; generatedAt: string; threshold: number; releaseId: string | null; releasedOn: string | null; districts: Array<D & { districtId: string }> }

type RiskCurrent = Envelope<RiskBody & { columns: Column[] }>
type RiskByYear = Envelope<{ columns: Column[]; years: Array<RiskBody & { schoolYear: string }> }>
type CoverageRow = { enrolled: Cell; screened: Cell; coverage: Cell }
type Coverage = Envelope<{ schools: Array<School & { rows: Array<CoverageRow & { level: number; grade: string }>; subtotal: CoverageRow }>; total: CoverageRow }>
type TalkRow = { kind: string; windowKey: string; total: Cell; done: Cell; doneLate: Cell; overdue: Cell; open: Cell; onTimeRate: Cell }
type Talks = Envelope<{ statuses: Label[]; windows: Array<{ kind: string; windowKey: string; label: string }>; schools: Array<School & { rows: TalkRow[] }>; total: TalkRow[] }>
type Flat = Envelope<{ schools: Array<School & Record<string, Cell>>; total: Record<string, Cell> }>

interface StaffingRow { schoolId: string; code: string; name: string; fullTime: Cell; partTime: Cell; certified: Cell; trainingHours: Cell; largeSchool: boolean; ruleHolds: boolean }
interface Staffing {
  year: number; generatedAt: string; largeSchoolEnrolment: number; fullTimeNeeded: number
  districts: Array<{ districtId: string; schools: StaffingRow[]; total: { schools: number; ruleHolds: number; fullTime: Cell; partTime: Cell; certified: Cell; trainingHours: Cell } }>
}
interface Releases { items: Array<{ id: string; releasedOn: string; trigger: string }>; onDemand: Array<{ districtId: string; allowedFrom: string | null }> }
const RELEASES = '/district/releases'

/** 2026-12-01 → 2026年12月1日 (zh) or 1 Dec 2026 (en). */
function releaseDate(day: string, locale: string): string {
  const [y, m, d] = day.split('-').map(Number)
  if (locale === 'en') return new Date(Date.UTC(y!, m! - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
  return `${y}年${m}月${d}日`
}

/** 心理健康教师配备: staff counts; a count of one person (and one person's training hours) is withheld like a small student count; the rule as icon and words. */
function StaffingCard({ loaded }: { loaded: Loaded<Staffing> }) {
  const { t, locale } = useI18n()
  const rule = (ok: boolean) => (ok
    ? <Tag color="success" icon={<CheckCircleOutlined aria-hidden />}>{t('district.s.holds')}</Tag>
    : <Tag color="error" icon={<CloseCircleOutlined aria-hidden />}>{t('district.s.fails')}</Tag>)
  return (
    <Card title={<h2 className="xa-card-title">{t('district.t.staffing')}</h2>} data-testid="district-staffing">
      <Section loaded={loaded}>
        {(d) => (
          <div className="xa-stack">
            <Typography.Text type="secondary">{t('district.staffingNote', { n: d.largeSchoolEnrolment, need: d.fullTimeNeeded, year: d.year })}</Typography.Text>
            {d.districts.map((dist) => (
              <Table<StaffingRow & { key: string; strong?: boolean; ruleText?: string }> key={dist.districtId} size="small" bordered pagination={false} scroll={{ x: 'max-content' }}
                rowKey="key" data-testid="staffing-table" rowClassName={(r) => (r.strong ? 'xa-strong-row' : '')}
                dataSource={[
                  ...dist.schools.map((s) => ({ ...s, key: s.schoolId })),
                  { key: 'total', schoolId: '', code: '', name: t('district.c.districtTotal'), strong: true, largeSchool: false, ruleHolds: true,
                    fullTime: dist.total.fullTime, partTime: dist.total.partTime, certified: dist.total.certified, trainingHours: dist.total.trainingHours,
                    ruleText: `${dist.total.ruleHolds}/${dist.total.schools}` },
                ]}
                columns={[
                  { key: 'school', title: t('district.c.school'), dataIndex: 'name' },
                  ...(['fullTime', 'partTime', 'certified', 'trainingHours'] as const).map((k) => ({
                    key: k, title: t(`district.s.${k}` as MessageKey), align: 'right' as const, render: (_: unknown, r: StaffingRow) => <CellView cell={r[k]} />,
                  })),
                  { key: 'large', title: t('district.s.largeSchool'), render: (_: unknown, r: StaffingRow & { strong?: boolean }) => (r.strong ? '' : r.largeSchool ? t('district.s.yes') : t('district.s.no')) },
                  { key: 'rule', title: t('district.s.ruleHolds'), render: (_: unknown, r: StaffingRow & { ruleText?: string }) => r.ruleText ?? rule(r.ruleHolds) },
                ]} />
            ))}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatDateTime(d.generatedAt, locale)}</Typography.Text>
          </div>
        )}
      </Section>
    </Card>
  )
}

const RISK_COLOURS: Record<string, string> = { 红: '#cf1322', 橙: '#d46b08', 黄: '#d4b106', 绿: '#389e0d' }

type Tr = (key: MessageKey, params?: Record<string, string | number>) => string

export function CellView({ cell, percent }: { cell: Cell | undefined; percent?: boolean }) {
  const { t } = useI18n()
  if (!cell) return <span>—</span>
  if (cell.suppressed) {
    return (
      <Tooltip title={t('district.suppressedTip')}>
        <Tag icon={<EyeInvisibleOutlined aria-hidden />} data-suppressed="true" tabIndex={0} aria-label={`${t('district.suppressed')}：${t('district.suppressedTip')}`}>{t('district.suppressed')}</Tag>
      </Tooltip>
    )
  }
  if (cell.value === null) return <span>—</span>
  return <span className="xa-num">{percent ? `${cell.value}%` : cell.value}</span>
}

interface GridRow { key: string; school: string; grade?: string; strong?: boolean; cells: Record<string, Cell | undefined> }

/** One aggregate table: label columns, then one column per cell key. */
function Grid({ rows, columns, withGrade, percentKeys = [], testid }: {
  rows: GridRow[]; columns: Array<{ key: string; title: ReactNode }>; withGrade?: boolean; percentKeys?: string[]; testid?: string
}) {
  const { t } = useI18n()
  return (
    <Table<GridRow> size="small" bordered pagination={false} scroll={{ x: 'max-content' }} dataSource={rows} rowKey="key" data-testid={testid}
      rowClassName={(r) => (r.strong ? 'xa-strong-row' : '')}
      columns={[
        { key: 'school', title: t('district.c.school'), dataIndex: 'school' },
        ...(withGrade ? [{ key: 'grade', title: t('district.c.grade'), dataIndex: 'grade' }] : []),
        ...columns.map((c) => ({ key: c.key, title: c.title, align: 'right' as const, render: (_: unknown, r: GridRow) => <CellView cell={r.cells[c.key]} percent={percentKeys.includes(c.key)} /> })),
      ]} />
  )
}

function riskRows(body: RiskBody, t: Tr): GridRow[] {
  const rows: GridRow[] = []
  for (const s of body.schools) {
    for (const r of s.rows) rows.push({ key: `${s.schoolId}:${r.level}`, school: s.name, grade: r.grade, cells: { ...r.cells, total: r.total } })
    rows.push({ key: `${s.schoolId}:sub`, school: s.name, grade: t('district.c.subtotal'), strong: true, cells: { ...s.subtotal.cells, total: s.subtotal.total } })
  }
  rows.push({ key: 'total', school: t('district.c.districtTotal'), grade: '', strong: true, cells: { ...body.total.cells, total: body.total.total } })
  return rows
}

/** Diagonal hatching, unlike the dots and squares ECharts' aria decals give the levels. */
const WITHHELD_DECAL = { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: -Math.PI / 4, color: 'rgba(0, 0, 0, 0.55)' }

/**
 * The risk chart: one stacked bar per school. A withheld count has no value to draw, but
 * leaving it out would make a school with a few high-risk pupils look like one with none: each
 * school with a withheld cell gets a hatched block of fixed height (barMinHeight, in pixels, so
 * it reads as a mark, not a number) on top of its bar, labelled with the levels withheld, in
 * the legend and the tooltip, and named again under the chart.
 */
function RiskChart({ district }: { district: RiskCurrent['districts'][number] }) {
  const { t, locale } = useI18n()
  const { option, withheld } = useMemo(() => {
    const withheld: string[] = []
    const name = (c: Column) => (locale === 'en' ? c.labelEn : c.labelZh)
    const schools = district.schools.map((s) => s.name)
    const withheldBySchool = district.schools.map((s) => district.columns.filter((c) => s.subtotal.cells[c.key]?.suppressed).map(name))
    const series: object[] = district.columns.map((c) => ({
      name: name(c),
      type: 'bar' as const,
      stack: 'risk',
      itemStyle: { color: RISK_COLOURS[c.colour] ?? '#8c8c8c' },
      data: district.schools.map((s) => {
        const cell = s.subtotal.cells[c.key]
        if (cell?.suppressed) {
          withheld.push(`${s.name} · ${name(c)}`)
          return null
        }
        return cell?.value ?? 0
      }),
    }))
    const levels = (i: number) => withheldBySchool[i]?.join(locale === 'en' ? ', ' : '、') ?? ''
    series.push({
      name: t('district.withheldSeries'),
      type: 'bar',
      stack: 'risk',
      barMinHeight: 22,
      itemStyle: { color: '#ffffff', borderColor: '#434343', borderWidth: 1, borderType: 'dashed', decal: WITHHELD_DECAL },
      label: {
        show: true, position: 'top', fontSize: 11, color: '#1f1f1f',
        formatter: (p: { dataIndex: number }) => t('district.withheldLabel', { levels: levels(p.dataIndex) }),
      },
      tooltip: { valueFormatter: (_v: unknown, i: number) => t('district.withheldLabel', { levels: levels(i) }) },
      data: withheldBySchool.map((l) => (l.length > 0 ? 0 : null)),
    })
    return {
      withheld,
      option: {
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === '-' ? t('district.suppressed') : asText(v, t('district.suppressed'))) },
        legend: { top: 0 },
        grid: { left: 48, right: 16, bottom: 56, top: 56 },
        xAxis: { type: 'category', data: schools, axisLabel: { interval: 0, width: 90, overflow: 'break' } },
        // Headroom above the tallest bar for its withheld block (fixed pixels) and the block's label.
        yAxis: { type: 'value', boundaryGap: [0, '15%'] },
        series,
      },
    }
  }, [district, locale, t])
  return (
    <div data-testid="risk-chart" data-withheld={withheld.length}>
      <EChart option={option} label={t('district.riskChart')} />
      {withheld.length > 0 && (
        <Typography.Paragraph type="secondary" data-testid="chart-withheld">
          <EyeInvisibleOutlined aria-hidden /> {t('district.chartWithheld', { n: withheld.length })} {t('district.withheldCells', { cells: withheld.join('；') })}
        </Typography.Paragraph>
      )}
    </div>
  )
}

function TableCard<T extends Envelope<object>>({ name, loaded, children }: { name: string; loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t, locale } = useI18n()
  return (
    <Card title={<h2 className="xa-card-title">{t(`district.t.${name}` as MessageKey)}</h2>} data-testid={`district-${name}`}>
      <Section loaded={loaded}>
        {(d) => (
          <div className="xa-stack">
            {children(d)}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('district.generated', { at: formatDateTime(d.generatedAt, locale), year: d.schoolYear, threshold: d.threshold })}
            </Typography.Text>
          </div>
        )}
      </Section>
    </Card>
  )
}

export default function DistrictDashboard() {
  const { t, locale, label } = useI18n()
  const { message } = App.useApp()
  const [exporting, setExporting] = useState(false)
  const risk = useApi<RiskCurrent>(routes.districtTable('risk-current'))
  const byYear = useApi<RiskByYear>(routes.districtTable('risk-by-year'))
  const coverage = useApi<Coverage>(routes.districtTable('screening-coverage'))
  const talks = useApi<Talks>(routes.districtTable('talk-compliance'))
  const activities = useApi<Flat>(routes.districtTable('home-school-activities'))
  const referrals = useApi<Flat>(routes.districtTable('referrals'))
  const crisis = useApi<Flat>(routes.districtTable('crisis-response'))
  const staffing = useApi<Staffing>(routes.districtTable('staffing'))
  const releases = useApi<Releases>(RELEASES)
  const [releasing, setReleasing] = useState(false)
  const loaded = [risk, byYear, coverage, talks, activities, referrals, crisis, staffing, releases]
  const allowedFrom = releases.data?.onDemand.map((d) => d.allowedFrom).filter((d): d is string => !!d).sort().pop() ?? null

  async function releaseNow() {
    setReleasing(true)
    try {
      await api(RELEASES, { method: 'POST' })
      message.success(t('district.released'))
      for (const l of loaded) l.reload()
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
      releases.reload()
    } finally {
      setReleasing(false)
    }
  }
  const lbl = (l: { labelZh: string; labelEn: string }) => (locale === 'en' ? l.labelEn : l.labelZh)
  const c = (k: string) => ({ key: k, title: t(`district.c.${k}` as MessageKey) })

  const flat = (d: Flat, keys: string[], percentKeys: string[]) => d.districts.map((dist) => (
    <Grid key={dist.districtId} columns={keys.map(c)} percentKeys={percentKeys}
      rows={[
        ...dist.schools.map((s) => ({ key: s.schoolId, school: s.name, cells: s })),
        { key: 'total', school: t('district.c.districtTotal'), strong: true, cells: dist.total },
      ]} />
  ))

  async function exportXlsx() {
    setExporting(true)
    try {
      await download(routes.districtExport, 'district-tables.xlsx')
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
    } finally {
      setExporting(false)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('district.title')}</Typography.Title>
      <Typography.Paragraph type="secondary" data-testid="suppressed-legend">
        <Tag icon={<EyeInvisibleOutlined aria-hidden />}>{t('district.suppressed')}</Tag> {t('district.suppressedNote')}
      </Typography.Paragraph>
      {risk.data?.releasedOn && (
        <Typography.Paragraph data-testid="district-release">
          <Tag color="blue">{t('district.releasedOn', { date: releaseDate(risk.data.releasedOn, locale) })}</Tag>{' '}
          <Typography.Text type="secondary">{t('district.releaseNote')}</Typography.Text>
        </Typography.Paragraph>
      )}
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void exportXlsx()} loading={exporting} data-testid="district-export">{t('common.export')}</Button>
        {releases.data && (
          <Button onClick={() => void releaseNow()} loading={releasing} disabled={!!allowedFrom} data-testid="district-release-now">{t('district.releaseNow')}</Button>
        )}
        {allowedFrom && <Typography.Text type="secondary" data-testid="district-release-next">{t('district.releaseNext', { date: releaseDate(allowedFrom, locale) })}</Typography.Text>}
      </div>

      <Card title={<h2 className="xa-card-title">{t('district.riskChart')}</h2>}>
        <Section loaded={risk}>
          {(d) => <>{d.districts.map((dist) => <RiskChart key={dist.districtId} district={dist} />)}</>}
        </Section>
      </Card>

      <Tabs data-testid="district-tabs" items={[
          { key: 'risk-current', label: t('district.tab.risk-current'), forceRender: true, children: (
      <TableCard name="risk-current" loaded={risk}>
        {(d) => d.districts.map((dist) => (
          <Grid key={dist.districtId} withGrade testid="risk-table" rows={riskRows(dist, t)}
            columns={[...dist.columns.map((col) => ({ key: col.key, title: `${lbl(col)}（${col.colour}）` })), c('total')]} />
        ))}
      </TableCard>
          ) },
          { key: 'risk-by-year', label: t('district.tab.risk-by-year'), forceRender: true, children: (
      <TableCard name="risk-by-year" loaded={byYear}>
        {(d) => d.districts.flatMap((dist) => dist.years.map((y) => (
          <div key={`${dist.districtId}:${y.schoolYear}`}>
            <Typography.Title level={3} style={{ fontSize: 15 }}>{t('archive.schoolYear', { year: y.schoolYear })}</Typography.Title>
            <Grid withGrade rows={riskRows(y, t)} columns={[...dist.columns.map((col) => ({ key: col.key, title: `${lbl(col)}（${col.colour}）` })), c('total')]} />
          </div>
        )))}
      </TableCard>
          ) },
          { key: 'screening-coverage', label: t('district.tab.screening-coverage'), forceRender: true, children: (
      <TableCard name="screening-coverage" loaded={coverage}>
        {(d) => d.districts.map((dist) => (
          <Grid key={dist.districtId} withGrade percentKeys={['coverage']} columns={['enrolled', 'screened', 'coverage'].map(c)}
            rows={[
              ...dist.schools.flatMap((s) => [
                ...s.rows.map((r) => ({ key: `${s.schoolId}:${r.level}`, school: s.name, grade: r.grade, cells: r as unknown as Record<string, Cell> })),
                { key: `${s.schoolId}:sub`, school: s.name, grade: t('district.c.subtotal'), strong: true, cells: s.subtotal as unknown as Record<string, Cell> },
              ]),
              { key: 'total', school: t('district.c.districtTotal'), grade: '', strong: true, cells: dist.total },
            ]} />
        ))}
      </TableCard>
          ) },
          { key: 'talk-compliance', label: t('district.tab.talk-compliance'), forceRender: true, children: (
      <TableCard name="talk-compliance" loaded={talks}>
        {(d) => d.districts.map((dist) => {
          // The period in the reader's language (the server's label is Chinese only): 2026年12月 每月必谈.
          const windowLabel = (r: TalkRow) => `${windowWords(r.windowKey, locale)} ${label('talk', r.kind)}`
          const statusCols = dist.statuses.map((s) => ({ key: s.key, title: lbl(s) }))
          return (
            <Grid key={dist.districtId} withGrade percentKeys={['onTimeRate']} columns={[c('total'), ...statusCols, c('onTimeRate')]}
              rows={[
                ...dist.schools.flatMap((s) => s.rows.map((r) => ({ key: `${s.schoolId}:${r.kind}:${r.windowKey}`, school: s.name, grade: windowLabel(r), cells: r as unknown as Record<string, Cell> }))),
                ...dist.total.map((r) => ({ key: `total:${r.kind}:${r.windowKey}`, school: t('district.c.districtTotal'), grade: windowLabel(r), strong: true, cells: r as unknown as Record<string, Cell> })),
              ]} />
          )
        })}
      </TableCard>
          ) },
          { key: 'home-school-activities', label: t('district.tab.home-school-activities'), forceRender: true, children: (
      <TableCard name="home-school-activities" loaded={activities}>
        {(d) => flat(d, ['parentSchool', 'homeVisit', 'parentMeeting', 'other', 'total', 'attendance'], [])}
      </TableCard>
          ) },
          { key: 'referrals', label: t('district.tab.referrals'), forceRender: true, children: (
      <TableCard name="referrals" loaded={referrals}>
        {(d) => flat(d, ['sent', 'withReceipt', 'receiptShare', 'closed', 'closedShare', 'medianDaysToReceipt'], ['receiptShare', 'closedShare'])}
      </TableCard>
          ) },
          { key: 'crisis-response', label: t('district.tab.crisis-response'), forceRender: true, children: (
      <TableCard name="crisis-response" loaded={crisis}>
        {(d) => flat(d, ['due', 'acknowledgedOnTime', 'onTimeShare'], ['onTimeShare'])}
      </TableCard>
          ) },
      ]} />
      <StaffingCard loaded={staffing} />
      <InspectionSummaryCard ready={loaded.every((l) => !l.loading)} />
    </div>
  )
}
