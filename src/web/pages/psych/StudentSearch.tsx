import { useState } from 'react'
import { Form, Input, Select, Typography } from 'antd'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { Section } from '../../components/common'
import { RecordTable, useClassNames, type Row } from '../../components/records'

const PAGE_SIZE = 20

/** 学生查询 (psychology teachers): GET /students with name / 学号 search, paged on the server (the admin's 学生名册 is admin/RosterPage). */
export default function StudentSearch() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const classId = params.get('classId') ?? undefined
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1))
  const [draft, setDraft] = useState(q)
  const classNames = useClassNames()
  const students = useApi<Page<Row>>('/students', { q: q || undefined, classId, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, sort: 'studentNo:asc' })

  const set = (next: { q?: string; classId?: string; page?: number }) => {
    const p = new URLSearchParams()
    const nq = next.q ?? q
    const nc = 'classId' in next ? next.classId : classId
    if (nq) p.set('q', nq)
    if (nc) p.set('classId', nc)
    if (next.page && next.page > 1) p.set('page', String(next.page))
    setParams(p)
  }

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('students.title')}</Typography.Title>
      <Form layout="inline" role="search" onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('students.query')} htmlFor="student-q" help={t('students.queryHelp')}>
          <Input.Search id="student-q" value={draft} onChange={(e) => setDraft(e.target.value)} onSearch={(v) => set({ q: v.trim() })} allowClear enterButton={t('common.search')} style={{ width: 280 }} />
        </Form.Item>
        <Form.Item label={t('students.class')} htmlFor="student-class">
          <Select id="student-class" allowClear placeholder={t('students.allClasses')} value={classId} style={{ width: 200 }}
            onChange={(v?: string) => set({ classId: v })}
            options={[...classNames].map(([value, label]) => ({ value, label }))} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
      </Form>
      <Section loaded={students}>
        {(found) => (
          <>
            <Typography.Text type="secondary">{t('common.total', { n: found.total })}</Typography.Text>
            <RecordTable
              data-testid="student-results"
              rows={found.items}
              pagination={{ current: page, pageSize: PAGE_SIZE, total: found.total, showSizeChanger: false, onChange: (n) => set({ page: n }) }}
              order={['studentNo', 'name', 'gender', 'classId', 'status', 'birthDate']}
              enums={{ status: 'studentStatus' }}
              render={{
                name: (v, row) => <Link to={`/students/${String(row.id)}`}>{asText(v, '—')}</Link>,
                classId: (v) => classNames.get(String(v)) ?? '—',
              }}
              onOpen={(row) => { void navigate(`/students/${String(row.id)}`) }}
            />
          </>
        )}
      </Section>
    </div>
  )
}
