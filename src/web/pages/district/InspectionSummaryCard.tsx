import { useState } from 'react'
import { App, Button, Card, DatePicker, Space, Table, Typography } from 'antd'
import { DownloadOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { ApiError, download } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'

interface Summary {
  from: string
  to: string
  asOf: string
  schools: number
  items: Array<{ code: string; point: string; schoolsMet: number; schoolsOverdue: number }>
  bySchool: Array<{ schoolId: string; name: string; itemsMet: number; openProblems: number; overdueProblems: number }>
}

/** The school year a day falls in, from 1 September (the district's report covers one). */
function schoolYearOf(d: Dayjs): [Dayjs, Dayjs] {
  const start = d.month() >= 8 ? d.year() : d.year() - 1
  return [dayjs(`${start}-09-01`), dayjs(`${start + 1}-08-31`)]
}

/**
 * 督导汇总 (district): per checklist item, the schools that meet it and the schools with
 * 整改 problems past their deadline; the same per school; the .xlsx for the report to the city.
 */
export default function InspectionSummaryCard({ ready }: { ready: boolean }) {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => schoolYearOf(dayjs()))
  const query = { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') }
  // Asked for once the dashboard's tables are in: evaluating every school's checklist is the
  // slowest answer of the page, and on the embedded database it would hold the tables up.
  const summary = useApi<Summary>(ready ? routes.districtInspectionSummary : null, query)
  const [exporting, setExporting] = useState(false)

  async function exportXlsx() {
    setExporting(true)
    try {
      await download(routes.districtInspectionSummaryXlsx, 'inspection-summary.xlsx', query)
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e))
    } finally {
      setExporting(false)
    }
  }

  return (
    <Card title={<h2 className="xa-card-title">{t('dsum.title')}</h2>} data-testid="district-inspection-summary">
      <Typography.Paragraph type="secondary">{t('dsum.help')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker.RangePicker allowClear={false} value={range} aria-label={`${t('dsum.from')} – ${t('dsum.to')}`}
          onChange={(v) => { if (v?.[0] && v[1]) setRange([v[0], v[1]]) }} />
        <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void exportXlsx()} loading={exporting} data-testid="inspection-summary-export">{t('dsum.export')}</Button>
      </Space>
      <Section loaded={summary}>
        {(s) => (
          <>
            <Typography.Paragraph type="secondary">{t('dsum.schools', { n: s.schools, date: formatDate(s.asOf, locale) })}</Typography.Paragraph>
            <Table size="small" rowKey="code" dataSource={s.items} pagination={false} scroll={{ x: 'max-content' }} data-testid="inspection-summary-items"
              columns={[
                { key: 'item', title: t('dsum.item'), render: (_: unknown, r: Summary['items'][number]) => t('rect.itemName', { code: r.code, point: r.point }) },
                { key: 'met', title: t('dsum.met'), align: 'right', dataIndex: 'schoolsMet' },
                { key: 'notMet', title: t('dsum.notMet'), align: 'right', render: (_: unknown, r: Summary['items'][number]) => s.schools - r.schoolsMet },
                { key: 'overdue', title: t('dsum.overdue'), align: 'right', render: (_: unknown, r: Summary['items'][number]) => (
                  <Typography.Text type={r.schoolsOverdue > 0 ? 'danger' : undefined}>{r.schoolsOverdue}</Typography.Text>
                ) },
              ]} />
            <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>{t('dsum.bySchool')}</Typography.Title>
            <Table size="small" rowKey="schoolId" dataSource={s.bySchool} pagination={false} scroll={{ x: 'max-content' }}
              columns={[
                { key: 'school', title: t('dsum.school'), dataIndex: 'name' },
                { key: 'itemsMet', title: t('dsum.itemsMet'), align: 'right', dataIndex: 'itemsMet' },
                { key: 'open', title: t('dsum.open'), align: 'right', dataIndex: 'openProblems' },
                { key: 'overdue', title: t('dsum.overdueProblems'), align: 'right', render: (_: unknown, r: Summary['bySchool'][number]) => (
                  <Typography.Text type={r.overdueProblems > 0 ? 'danger' : undefined}>{r.overdueProblems}</Typography.Text>
                ) },
              ]} />
          </>
        )}
      </Section>
    </Card>
  )
}
