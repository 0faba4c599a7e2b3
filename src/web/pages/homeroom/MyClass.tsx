import { useRef, useState } from 'react'
import { Button, Card, Progress, Typography } from 'antd'
import { EditOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useAuth } from '../../api/session'
import { useApi, type Loaded } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { TalkForm, type TalkPrefill } from './TalkForm'
import { LessonEntry } from './LessonEntry'
import { windowLabel, type WindowContext } from './talk-windows'

const KINDS = ['semester', 'monthly', 'holiday_return'] as const
const HISTORY_PAGE = 10

interface ComplianceRow {
  classId: string; kind: string; windowKey: string; windowStart: string; dueDate: string
  total: number; done: number; doneLate: number; overdue: number; open: number; onTimePct: number | null
}

/** Today by the schools' calendar (Asia/Shanghai, no daylight saving). */
const schoolToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

/** For each kind of talk, the period under way today, or the latest one that has begun. */
function currentWindows(rows: ComplianceRow[], classId: string, today: string): ComplianceRow[] {
  return KINDS.flatMap((kind) => {
    const begun = rows.filter((r) => r.classId === classId && r.kind === kind && r.windowStart <= today)
    begun.sort((a, b) => b.windowStart.localeCompare(a.windowStart))
    return begun.slice(0, 1)
  })
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : 0)

/** 本期谈话完成情况: talks held this period per kind, and the class's completion rate over them. */
function Progressing({ loaded, classId, windows }: { loaded: Loaded<{ items: ComplianceRow[] }>; classId: string; windows: WindowContext }) {
  const { t, label, locale } = useI18n()
  return (
    <Card title={<h2 className="xa-card-title">{t('homeroom.progress')}</h2>} data-testid="talk-progress">
      <Section loaded={loaded} empty={(d) => currentWindows(d.items, classId, schoolToday()).length === 0}>
        {(d) => {
          const current = currentWindows(d.items, classId, schoolToday())
          const held = current.reduce((s, r) => s + r.done + r.doneLate, 0)
          const due = current.reduce((s, r) => s + r.total, 0)
          return (
            <div className="xa-progress">
              <div className="xa-progress-total" data-testid="class-rate">
                <Progress type="circle" size={96} percent={percent(held, due)} format={(p) => `${p ?? 0}%`} aria-label={`${t('homeroom.classRate')} ${percent(held, due)}%`} />
                <div>
                  <Typography.Text strong>{t('homeroom.classRate')}</Typography.Text><br />
                  <Typography.Text type="secondary">{t('homeroom.classRateOf', { done: held, total: due })}</Typography.Text>
                </div>
              </div>
              <ul className="xa-plain-list" data-testid="talk-windows">
                {current.map((r) => (
                  <li key={`${r.kind}:${r.windowKey}`} data-kind={r.kind}>
                    <Typography.Text strong>{label('talk', r.kind)}</Typography.Text>{' · '}
                    <span data-testid="window-label">{windowLabel(r.windowKey, windows) || `${formatDateTime(r.windowStart, locale)} – ${formatDateTime(r.dueDate, locale)}`}</span>
                    <Progress percent={percent(r.done + r.doneLate, r.total)} size="small" format={(p) => `${p ?? 0}%`} />
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                      {[
                        t('homeroom.doneOf', { done: r.done + r.doneLate, total: r.total }),
                        r.overdue > 0 ? t('homeroom.overdueCount', { n: r.overdue }) : null,
                        r.open > 0 ? t('homeroom.openCount', { n: r.open }) : null,
                        r.onTimePct === null ? t('homeroom.onTimePending') : t('homeroom.onTimeRate', { pct: r.onTimePct }),
                        t('homeroom.until', { date: formatDateTime(r.dueDate, locale) }),
                      ].filter(Boolean).join(locale === 'en' ? '; ' : '；')}
                    </Typography.Text>
                  </li>
                ))}
              </ul>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('homeroom.progressHelp')}</Typography.Text>
            </div>
          )
        }}
      </Section>
    </Card>
  )
}

/** 我的班级: the class, this period's talks and completion rate, talks due and overdue, a quick talk log, its history, and the care-list guidance. */
export default function MyClass() {
  const { t, locale, label } = useI18n()
  const { grant } = useAuth()
  const classId = grant('homeroom_teacher')?.classId ?? null
  const klass = useApi<Row>(classId ? routes.klass(classId) : null)
  const students = useApi<Page<Row>>(classId ? routes.students : null, { classId, limit: 500, sort: 'studentNo:asc' })
  const duties = useApi<Page<Row>>(classId ? routes.talkDuties : null, { classId, status: 'open,overdue', limit: 500 })
  const compliance = useApi<{ items: ComplianceRow[] }>(classId ? routes.talkCompliance : null)
  const holidays = useApi<Page<Row>>(classId ? routes.holidays : null, { limit: 200 })
  const [historyOffset, setHistoryOffset] = useState(0)
  const logs = useApi<Page<Row>>(classId ? routes.talkLogs : null, { limit: HISTORY_PAGE, offset: historyOffset })
  const care = useApi<Page<Row>>(classId ? routes.careList : null, { limit: 200 })
  const [prefill, setPrefill] = useState<TalkPrefill | undefined>()
  const formCard = useRef<HTMLDivElement>(null)

  if (!classId) return <Typography.Paragraph>{t('homeroom.noClass')}</Typography.Paragraph>

  const windows: WindowContext = { t, locale, label, holidays: holidays.data?.items ?? [] }
  const byId = new Map((students.data?.items ?? []).map((s) => [String(s.id), s]))
  const withStudent = (r: Row): Row => ({ ...r, student: r.student ?? byId.get(String(r.studentId)) })
  const logFor = (r: Row) => {
    setPrefill({ studentId: String(r.studentId), kind: typeof r.kind === 'string' ? r.kind : undefined })
    formCard.current?.scrollIntoView({ behavior: 'smooth' })
    setTimeout(() => formCard.current?.querySelector<HTMLElement>('input, .ant-select-selector')?.focus(), 50)
  }
  const dutyTable = (rows: Row[], testid: string) => (
    <RecordTable data-testid={testid} rows={rows.map((r) => ({ ...withStudent(r), talkPeriod: windowLabel(r.windowKey, windows) || undefined }))}
      order={['studentId', 'kind', 'talkPeriod', 'dueDate']} titles={{ talkPeriod: t('homeroom.window') }}
      enums={{ status: 'duty', kind: 'talk' }}
      render={{ studentId: (_v, r) => <StudentRef row={r} link={false} /> }}
      // Pinned to the right edge, so at phone width the action shows without scrolling the table sideways.
      extra={[{ key: 'log', title: t('common.actions'), fixed: 'right', render: (_: unknown, r: Row) => (
        <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => logFor(r)}>{t('homeroom.logTalk')}</Button>
      ) }]} />
  )
  const saved = () => {
    duties.reload()
    compliance.reload()
    setHistoryOffset(0)
    logs.reload()
    setPrefill(undefined)
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="class-title">
        {t('homeroom.title')}{klass.data?.name ? `${locale === 'en' ? ': ' : '：'}${asText(klass.data.name)}` : ''}
      </Typography.Title>
      <Progressing loaded={compliance} classId={classId} windows={windows} />
      <div className="xa-grid">
        <Card title={<h2 className="xa-card-title">{t('homeroom.talksOverdue')}</h2>}>
          <Section loaded={duties} empty={(p) => !p.items.some((d) => d.status === 'overdue')}>
            {(p) => dutyTable(p.items.filter((d) => d.status === 'overdue'), 'duties-overdue')}
          </Section>
        </Card>
        <Card title={<h2 className="xa-card-title">{t('homeroom.talksDue')}</h2>}>
          <Section loaded={duties} empty={(p) => !p.items.some((d) => d.status === 'open')}>
            {(p) => dutyTable(p.items.filter((d) => d.status === 'open'), 'duties-open')}
          </Section>
        </Card>
      </div>
      <div className="xa-grid">
        <Card ref={formCard} title={<h2 className="xa-card-title">{t('homeroom.logTalk')}</h2>}>
          <TalkForm students={students.data?.items ?? []} prefill={prefill} onSaved={saved} />
        </Card>
        <Card title={<h2 className="xa-card-title">{t('homeroom.careList')}</h2>} data-testid="care-list">
          <Section loaded={care} empty={(p) => p.items.length === 0}>
            {(p) => <RecordTable rows={p.items.map(withStudent)} order={['studentId', 'riskLevel', 'guidance', 'addedAt']}
              render={{ studentId: (_v, r) => <StudentRef row={r} link={false} /> }} />}
          </Section>
        </Card>
      </div>
      <LessonEntry classId={classId} />
      <Card title={<h2 className="xa-card-title">{t('homeroom.history')}</h2>} data-testid="talk-history"
        extra={logs.data ? <Typography.Text type="secondary">{t('homeroom.historyTotal', { n: logs.data.total })}</Typography.Text> : null}>
        <Section loaded={logs} empty={(p) => p.total === 0}>
          {(p) => <RecordTable rows={p.items.map(withStudent)} order={['studentId', 'talkDate', 'kind', 'place', 'followUpNeeded', 'concerned']}
            enums={{ kind: 'talk' }} render={{ studentId: (_v, r) => <StudentRef row={r} link={false} /> }}
            pagination={p.total > HISTORY_PAGE
              ? { current: Math.floor(historyOffset / HISTORY_PAGE) + 1, pageSize: HISTORY_PAGE, total: p.total, showSizeChanger: false, size: 'small', onChange: (n) => setHistoryOffset((n - 1) * HISTORY_PAGE) }
              : false} />}
        </Section>
      </Card>
      <Card title={<h2 className="xa-card-title">{t('homeroom.roster')}</h2>}>
        <Section loaded={students} empty={(p) => p.items.length === 0}>
          {(p) => <RecordTable data-testid="class-roster" rows={p.items} order={['studentNo', 'name', 'gender', 'birthDate', 'status']} enums={{ status: 'studentStatus' }} />}
        </Section>
      </Card>
    </div>
  )
}
