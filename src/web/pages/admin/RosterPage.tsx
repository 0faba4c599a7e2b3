import { useState } from 'react'
import { Alert, App, Button, Input, Select, Space, Table, Tag, Typography } from 'antd'
import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import dayjs from 'dayjs'
import { useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { api, download, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDate, Section } from '../../components/common'
import { asApiError, Popconfirm } from '../../components/forms'
import type { Row } from '../../components/records'
import { ImportDrawer, TemplateButtons } from './roster-import'
import { AddStudentDialog, EditStudentDialog, type ClassOption } from './roster-student-dialog'

const PAGE_SIZES = [20, 50, 100]
const STATUSES = ['enrolled', 'left', 'graduated'] as const
type Status = (typeof STATUSES)[number]
const STATUS_COLOURS: Record<string, string> = { enrolled: 'green', left: 'default', graduated: 'blue' }
const SORTABLE = new Set(['studentNo', 'name'])

/** The school's classes in school order (grade, then class number), for the filter and the dialogs. */
function useClassOptions(): { options: ClassOption[]; name: Map<string, string>; loaded: boolean } {
  const classes = useApi<Page<Row>>(routes.classes, { limit: 500 })
  const grades = useApi<Page<Row>>(routes.grades, { limit: 50 })
  const level = new Map((grades.data?.items ?? []).map((g) => [String(g.id), Number(g.level)]))
  const items = (classes.data?.items ?? []).slice().sort((a, b) =>
    (level.get(String(a.gradeId)) ?? 99) - (level.get(String(b.gradeId)) ?? 99) || Number(a.seq) - Number(b.seq))
  return {
    options: items.map((c) => ({ value: String(c.id), label: String(c.name) })),
    name: new Map(items.map((c) => [String(c.id), String(c.name)])),
    loaded: classes.data !== undefined,
  }
}

/**
 * 学生名册 (school admin): the whole roster a page at a time — the server pages, searches and
 * filters, and says how many there are in all, so nothing is cut off at a fixed number. The
 * filters and the page live in the address, so a reload or "back" returns to the same view.
 */
export default function RosterPage() {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const classId = params.get('classId') ?? undefined
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as Status) : undefined
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0]!
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1))
  const sort = params.get('sort') ?? 'studentNo:asc'
  const [draft, setDraft] = useState(q)
  const [adding, setAdding] = useState(false)
  const [editing, setEditing] = useState<Row | null>(null)
  const [importing, setImporting] = useState(false)
  const [exporting, setExporting] = useState(false)
  const classes = useClassOptions()
  const students = useApi<Page<Row>>(routes.students, { q: q || undefined, classId, status, limit: size, offset: (page - 1) * size, sort })

  /** Any change of filter goes back to page 1; paging keeps the filters. */
  const update = (next: Partial<Record<'q' | 'classId' | 'status' | 'page' | 'size' | 'sort', string | undefined>>) => {
    const p = new URLSearchParams(params)
    if (!('page' in next)) p.delete('page')
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v)
      else p.delete(k)
    }
    setParams(p)
  }

  async function setStatus(row: Row, next: Status) {
    const today = dayjs().format('YYYY-MM-DD')
    try {
      await api(routes.student(String(row.id)), { method: 'PATCH', body: { status: next, leftAt: next === 'enrolled' ? null : today } })
      message.success(t('roster.statusChanged', { name: String(row.name), status: label('studentStatus', next) }))
      students.reload()
    } catch (e) {
      void message.error(asApiError(e).message)
    }
  }

  async function exportAll() {
    setExporting(true)
    try {
      await download(routes.rosterExport, '学生名册.xlsx')
    } catch (e) {
      void message.error(asApiError(e).message)
    } finally {
      setExporting(false)
    }
  }

  const CONFIRM = { left: 'roster.markLeftConfirm', graduated: 'roster.markGraduatedConfirm', enrolled: 'roster.restoreConfirm' } as const
  const statusButton = (r: Row, next: Status, text: string, danger = false) => (
    <Popconfirm key={next} title={t(CONFIRM[next], { name: String(r.name) })} okText={text} cancelText={t('common.cancel')}
      okButtonProps={{ danger }} overlayStyle={{ maxWidth: 360 }} onConfirm={() => setStatus(r, next)}>
      <Button size="small" danger={danger} data-testid={`status-${next}`}>{text}</Button>
    </Popconfirm>
  )

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('roster.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('roster.help')}</Typography.Paragraph>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, justifyContent: 'space-between' }}>
        <Space wrap role="search">
          <Input.Search value={draft} onChange={(e) => setDraft(e.target.value)} onSearch={(v) => update({ q: v.trim() || undefined })}
            allowClear enterButton={t('common.search')} placeholder={t('roster.search')} title={t('roster.searchHelp')} aria-label={t('roster.search')}
            style={{ width: 260 }} data-testid="roster-search" />
          <Select allowClear placeholder={t('roster.allClasses')} aria-label={t('roster.class')} value={classId} style={{ width: 160 }}
            onChange={(v?: string) => update({ classId: v })} options={classes.options} showSearch={{ optionFilterProp: 'label' }} data-testid="roster-class" />
          <Select allowClear placeholder={t('roster.allStatuses')} aria-label={t('roster.status')} value={status} style={{ width: 120 }}
            onChange={(v?: string) => update({ status: v })} options={STATUSES.map((s) => ({ value: s, label: label('studentStatus', s) }))} data-testid="roster-status" />
        </Space>
        <Space wrap>
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setAdding(true)} data-testid="roster-add">{t('roster.add')}</Button>
          <Button icon={<UploadOutlined aria-hidden />} onClick={() => setImporting(true)} data-testid="roster-import-open">{t('roster.import')}</Button>
          <TemplateButtons />
          <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void exportAll()} loading={exporting} data-testid="roster-export">{t('roster.export')}</Button>
        </Space>
      </div>
      {classes.loaded && classes.options.length === 0 && <Alert type="info" showIcon title={t('roster.noClasses')} />}
      <Section loaded={students}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="student-results" scroll={{ x: 'max-content' }}
            loading={students.loading}
            pagination={{
              current: page, pageSize: size, total: p.total, pageSizeOptions: PAGE_SIZES, showSizeChanger: true,
              showTotal: (n) => t('roster.total', { n }),
            }}
            onChange={(pg, _filters, sorter) => {
              const s = Array.isArray(sorter) ? sorter[0] : sorter
              const field = typeof s?.columnKey === 'string' && SORTABLE.has(s.columnKey) && s.order ? `${s.columnKey}:${s.order === 'descend' ? 'desc' : 'asc'}` : undefined
              const nextSize = pg.pageSize ?? size
              update({
                page: nextSize !== size ? undefined : String(pg.current ?? 1),
                size: nextSize === PAGE_SIZES[0] ? undefined : String(nextSize),
                sort: field && field !== 'studentNo:asc' ? field : undefined,
              })
            }}
            columns={[
              { key: 'studentNo', dataIndex: 'studentNo', title: t('roster.studentNo'), sorter: true,
                sortOrder: sort.startsWith('studentNo:') ? (sort.endsWith(':desc') ? 'descend' : 'ascend') : null },
              { key: 'name', dataIndex: 'name', title: t('roster.name'), sorter: true,
                sortOrder: sort.startsWith('name:') ? (sort.endsWith(':desc') ? 'descend' : 'ascend') : null },
              { key: 'gender', title: t('roster.gender'), render: (_: unknown, r: Row) => label('gender', r.gender) },
              { key: 'birthDate', title: t('roster.birthDate'), render: (_: unknown, r: Row) => formatDate(r.birthDate, locale) },
              { key: 'class', title: t('roster.class'), render: (_: unknown, r: Row) => classes.name.get(String(r.classId)) ?? '—' },
              { key: 'status', title: t('roster.status'), render: (_: unknown, r: Row) => (
                <Space size={4}>
                  <Tag color={STATUS_COLOURS[String(r.status)] ?? 'default'}>{label('studentStatus', r.status)}</Tag>
                  {r.status !== 'enrolled' && typeof r.leftAt === 'string' && <Typography.Text type="secondary">{formatDate(r.leftAt, locale)}</Typography.Text>}
                </Space>
              ) },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space size={4}>
                  <Button size="small" onClick={() => setEditing(r)} data-testid="roster-edit">{t('roster.edit')}</Button>
                  {r.status === 'enrolled'
                    ? [statusButton(r, 'left', t('roster.markLeft'), true), statusButton(r, 'graduated', t('roster.markGraduated'))]
                    : statusButton(r, 'enrolled', t('roster.restore'))}
                </Space>
              ) },
            ]} />
        )}
      </Section>

      <AddStudentDialog open={adding} onClose={() => setAdding(false)} classes={classes.options} onDone={() => students.reload()} />
      {editing && <EditStudentDialog student={editing} classes={classes.options} onClose={() => setEditing(null)} onDone={() => students.reload()} />}
      <ImportDrawer open={importing} onClose={() => setImporting(false)} onImported={() => students.reload()} />
    </div>
  )
}
