import { useMemo, useState } from 'react'
import { Card, DatePicker, Descriptions, Form, Statistic, Table, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { EChart } from '../../components/EChart'

type Counts = Record<string, number>
interface Summary {
  from: string | null
  to: string | null
  visits: { total: number; minutes: number; walkIns?: number; byMonth: Counts; byTopic: Counts; byFollowUp: Counts }
  groupSessions?: { total: number; attendance: number; byKind?: Record<string, number> }
  room?: { location?: string | null; openingHours?: string | null }
}

interface CountRow { key: string; label: string; n: number }

function CountTable({ rows, title, testid }: { rows: CountRow[]; title: string; testid: string }) {
  const { t } = useI18n()
  return (
    <Table<CountRow> size="small" rowKey="key" pagination={false} dataSource={rows} data-testid={testid}
      columns={[
        { key: 'label', dataIndex: 'label', title },
        { key: 'n', dataIndex: 'n', title: t('room.count'), align: 'right', render: (n: number) => <span className="xa-num">{n}</span> },
      ]} />
  )
}

function CountChart({ rows, label }: { rows: CountRow[]; label: string }) {
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, bottom: 40, top: 16 },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: rows.map((r) => r.n), barMaxWidth: 32, label: { show: true, position: 'top' } }],
  }), [rows])
  return <EChart option={option} label={label} height={220} />
}

/**
 * 辅导室工作统计: counts by month, topic and follow-up for an inspection. The same page serves
 * psychology teachers and the school admin; what the counts include is the API's answer for
 * the caller (walk-ins only for those who may see who came).
 */
export default function RoomSummary() {
  const { t, label } = useI18n()
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const summary = useApi<Summary>(routes.roomSummary, {
    from: range?.[0]?.format('YYYY-MM-DD'),
    to: range?.[1]?.format('YYYY-MM-DD'),
  })
  return (
    <div className="xa-stack" data-testid="room-summary">
      <Form layout="inline" onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('room.range')} htmlFor="summary-range">
          <DatePicker.RangePicker id={{ start: 'summary-range' }} allowEmpty={[true, true]} value={range} onChange={(v) => setRange(v)} />
        </Form.Item>
      </Form>
      <Section loaded={summary}>
        {(s) => {
          const months = Object.entries(s.visits.byMonth).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => ({ key: k, label: k, n }))
          const topics = Object.entries(s.visits.byTopic).map(([k, n]) => ({ key: k, label: label('category', k), n }))
          const followUps = Object.entries(s.visits.byFollowUp).map(([k, n]) => ({ key: k, label: label('followUp', k), n }))
          return (
            <div className="xa-stack">
              <div className="xa-grid">
                <Card><div data-testid="summary-total"><Statistic title={t('room.totalVisits')} value={s.visits.total} /></div></Card>
                <Card><Statistic title={t('room.totalMinutes')} value={s.visits.minutes} /></Card>
                {s.visits.walkIns !== undefined && <Card><Statistic title={t('room.walkIns')} value={s.visits.walkIns} /></Card>}
                {s.groupSessions && (
                  <Card>
                    <Statistic title={t('room.groupSessions')} value={s.groupSessions.total} suffix={t('room.attendanceSuffix', { n: s.groupSessions.attendance })} />
                    {/* 多帮一: how many of them were for 特殊群体 students or their parents. */}
                    <Typography.Text type="secondary" style={{ fontSize: 13 }} data-testid="summary-group-kinds">
                      {Object.entries(s.groupSessions.byKind ?? {}).map(([k, n]) => `${label('groupKind', k)} ${n}`).join(' · ')}
                    </Typography.Text>
                  </Card>
                )}
              </div>
              {s.room && (s.room.location || s.room.openingHours) && (
                <Descriptions size="small" bordered column={1} items={[
                  { key: 'location', label: t('room.location'), children: s.room.location ?? '—' },
                  { key: 'openingHours', label: t('room.openingHours'), children: s.room.openingHours ?? '—' },
                ]} />
              )}
              <div className="xa-grid">
                <Card title={<h2 className="xa-card-title">{t('room.byMonth')}</h2>}>
                  {months.length > 0 && <CountChart rows={months} label={t('room.byMonth')} />}
                  <CountTable rows={months} title={t('room.month')} testid="summary-months" />
                </Card>
                <Card title={<h2 className="xa-card-title">{t('room.byTopic')}</h2>}>
                  {topics.length > 0 && <CountChart rows={topics} label={t('room.byTopic')} />}
                  <CountTable rows={topics} title={t('room.topic')} testid="summary-topics" />
                </Card>
                <Card title={<h2 className="xa-card-title">{t('room.byFollowUp')}</h2>}>
                  <CountTable rows={followUps} title={t('room.followUp')} testid="summary-followups" />
                </Card>
              </div>
              <Typography.Text type="secondary">{t('room.summaryNote')}</Typography.Text>
            </div>
          )
        }}
      </Section>
    </div>
  )
}

