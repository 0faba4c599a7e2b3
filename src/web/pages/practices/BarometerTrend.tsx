import { useEffect, useMemo, useState } from 'react'
import { App, Button, Card, Form, Select, Space, Table, Typography } from 'antd'
import { useI18n } from '../../i18n'
import { periodLabel } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { RecordTable, useClassNames, type Row } from '../../components/records'
import { EChart } from '../../components/EChart'
import { moodLabel, MoodTag, useFailure } from './shared'

interface Point { periodKey: string; entries: number; avgMood: number; minMood: number; named: number }
interface Trend { classId: string; period: string; points: Point[] }

function TrendChart({ trend }: { trend: Trend }) {
  const { t, locale } = useI18n()
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, bottom: 40, top: 40 },
    xAxis: { type: 'category', data: trend.points.map((p) => periodLabel(p.periodKey, locale)) },
    yAxis: [
      { type: 'value', min: 1, max: 5, interval: 1, name: t('barometer.mood') },
      { type: 'value', minInterval: 1, name: t('barometer.named'), position: 'right' },
    ],
    // Three series told apart by shape and line style, not colour alone.
    series: [
      { name: t('barometer.avgMood'), type: 'line', data: trend.points.map((p) => p.avgMood), symbol: 'circle', symbolSize: 8, lineStyle: { type: 'solid', width: 3 }, label: { show: true } },
      { name: t('barometer.minMood'), type: 'line', data: trend.points.map((p) => p.minMood), symbol: 'triangle', symbolSize: 9, lineStyle: { type: 'dashed' } },
      { name: t('barometer.named'), type: 'bar', yAxisIndex: 1, data: trend.points.map((p) => p.named), barMaxWidth: 18 },
    ],
  }), [trend, t, locale])
  return <EChart option={option} label={t('barometer.chartLabel', { n: trend.points.length })} height={300} />
}

/** 心理晴雨表 for psychology teachers: a class's mood per period as a chart and as a table, its latest forms, the period setting. */
export default function BarometerTrend() {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const fail = useFailure()
  const classNames = useClassNames()
  const latest = useApi<Page<Row>>(routes.barometer, { limit: 1 })
  const [classId, setClassId] = useState<string | undefined>()
  const [last, setLast] = useState(12)
  // Start on the class that reported last.
  useEffect(() => {
    const c = latest.data?.items[0]?.classId
    if (!classId && typeof c === 'string') setClassId(c)
  }, [latest.data, classId])
  const trend = useApi<Trend>(classId ? routes.barometerTrend(classId) : null, { last })
  const entries = useApi<Page<Row>>(classId ? routes.barometer : null, { classId, limit: 20 })
  const settings = useApi<Row>(routes.barometerSettings)
  const [period, setPeriod] = useState<string | undefined>()
  useEffect(() => { if (typeof settings.data?.period === 'string') setPeriod(settings.data.period) }, [settings.data])

  async function savePeriod() {
    try {
      await api(routes.barometerSettings, { method: 'PUT', body: { period } })
      message.success(t('common.saved'))
      settings.reload()
      trend.reload()
    } catch (e) {
      fail(e)
    }
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('barometer.trendTitle')}</Typography.Title>
      <Form layout="inline" onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('common.class')} htmlFor="trend-class">
          <Select id="trend-class" value={classId} onChange={setClassId} style={{ width: 200 }} placeholder={t('barometer.pickClass')}
            showSearch={{ optionFilterProp: 'label' }} options={[...classNames].map(([value, l]) => ({ value, label: l }))} data-testid="trend-class" />
        </Form.Item>
        <Form.Item label={t('barometer.last')} htmlFor="trend-last">
          <Select id="trend-last" value={last} onChange={setLast} style={{ width: 120 }} options={[8, 12, 26, 52].map((n) => ({ value: n, label: t('barometer.lastN', { n }) }))} />
        </Form.Item>
      </Form>
      {!classId
        ? <Typography.Paragraph type="secondary">{t('barometer.pickClass')}</Typography.Paragraph>
        : (
          <>
            <Card title={<h2 className="xa-card-title">{t('barometer.trend')}{classNames.get(classId) ? `：${classNames.get(classId)}` : ''}</h2>} data-testid="trend">
              <Section loaded={trend} empty={(d) => d.points.length === 0}>
                {(d) => (
                  <div className="xa-stack">
                    <TrendChart trend={d} />
                    <Typography.Paragraph type="secondary">{t('barometer.tableHelp')}</Typography.Paragraph>
                    <Table<Point> size="small" rowKey="periodKey" pagination={false} dataSource={[...d.points].reverse()} data-testid="trend-table" scroll={{ x: 'max-content' }}
                      columns={[
                        { key: 'periodKey', dataIndex: 'periodKey', title: t('barometer.period'), render: (v: string) => periodLabel(v, locale) },
                        { key: 'entries', dataIndex: 'entries', title: t('barometer.entries'), align: 'right' },
                        { key: 'avgMood', title: t('barometer.avgMood'), render: (_: unknown, p: Point) => <span><span className="xa-num">{p.avgMood.toFixed(2)}</span>（{moodLabel(t, Math.round(p.avgMood))}）</span> },
                        { key: 'minMood', title: t('barometer.minMood'), render: (_: unknown, p: Point) => <MoodTag mood={p.minMood} /> },
                        { key: 'named', dataIndex: 'named', title: t('barometer.named'), align: 'right' },
                      ]} />
                  </div>
                )}
              </Section>
            </Card>
            <Card title={<h2 className="xa-card-title">{t('barometer.recent')}</h2>}>
              <Section loaded={entries} empty={(p) => p.items.length === 0}>
                {(p) => (
                  <RecordTable data-testid="trend-entries" rows={[...p.items].sort((a, b) => String(b.periodKey).localeCompare(String(a.periodKey)))} order={['periodKey', 'submitterRole', 'mood', 'events', 'namedCount', 'createdAt']}
                    render={{
                      submitterRole: (v) => label('role', v),
                      mood: (v) => <MoodTag mood={v} />,
                      createdAt: (v) => formatDateTime(v, locale),
                    }} />
                )}
              </Section>
            </Card>
          </>
        )}
      <Card title={<h2 className="xa-card-title">{t('barometer.settings')}</h2>}>
        <Section loaded={settings}>
          {() => (
            <Space wrap>
              <label htmlFor="barometer-period">{t('barometer.periodLabel')}</label>
              <Select id="barometer-period" value={period} onChange={setPeriod} style={{ width: 140 }}
                options={['weekly', 'monthly'].map((p) => ({ value: p, label: t(`barometer.period.${p}` as 'barometer.period.weekly') }))} />
              <Button onClick={() => void savePeriod()} disabled={!period || period === settings.data?.period}>{t('common.save')}</Button>
            </Space>
          )}
        </Section>
      </Card>
    </div>
  )
}
