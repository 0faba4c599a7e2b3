import { useRef, useState } from 'react'
import { Button, Card, Typography } from 'antd'
import { EditOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { useAuth } from '../../api/session'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { TalkForm, type TalkPrefill } from './TalkForm'

/** 我的班级: the class, its talks due and overdue, a quick talk log, and the care-list guidance — nothing more. */
export default function MyClass() {
  const { t } = useI18n()
  const { grant } = useAuth()
  const classId = grant('homeroom_teacher')?.classId ?? null
  const klass = useApi<Row>(classId ? routes.klass(classId) : null)
  const students = useApi<Page<Row>>(classId ? routes.students : null, { classId, limit: 500, sort: 'studentNo:asc' })
  const duties = useApi<Page<Row>>(classId ? routes.talkDuties : null, { classId, status: 'open,overdue', limit: 500 })
  const care = useApi<Page<Row>>(classId ? routes.careList : null, { limit: 200 })
  const [prefill, setPrefill] = useState<TalkPrefill | undefined>()
  const formCard = useRef<HTMLDivElement>(null)

  if (!classId) return <Typography.Paragraph>{t('homeroom.noClass')}</Typography.Paragraph>

  const byId = new Map((students.data?.items ?? []).map((s) => [String(s.id), s]))
  const withStudent = (r: Row): Row => ({ ...r, student: r.student ?? byId.get(String(r.studentId)) })
  const logFor = (r: Row) => {
    setPrefill({ studentId: String(r.studentId), kind: typeof r.kind === 'string' ? r.kind : undefined })
    formCard.current?.scrollIntoView({ behavior: 'smooth' })
    setTimeout(() => formCard.current?.querySelector<HTMLElement>('input, .ant-select-selector')?.focus(), 50)
  }
  const dutyTable = (rows: Row[], testid: string) => (
    <RecordTable data-testid={testid} rows={rows.map(withStudent)} order={['studentId', 'kind', 'windowStart', 'dueDate', 'status']}
      enums={{ status: 'duty', kind: 'talk' }}
      render={{ studentId: (_v, r) => <StudentRef row={r} link={false} /> }}
      extra={[{ key: 'log', title: t('common.actions'), render: (_: unknown, r: Row) => (
        <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => logFor(r)}>{t('homeroom.logTalk')}</Button>
      ) }]} />
  )

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="class-title">
        {t('homeroom.title')}{klass.data?.name ? `：${String(klass.data.name)}` : ''}
      </Typography.Title>
      <div className="xa-grid">
        <Card title={<h2 className="xa-card-title">{t('homeroom.talksOverdue')}</h2>}>
          <Section loaded={duties} route={`GET /api/v1${routes.talkDuties}`} empty={(p) => !p.items.some((d) => d.status === 'overdue')}>
            {(p) => dutyTable(p.items.filter((d) => d.status === 'overdue'), 'duties-overdue')}
          </Section>
        </Card>
        <Card title={<h2 className="xa-card-title">{t('homeroom.talksDue')}</h2>}>
          <Section loaded={duties} route={`GET /api/v1${routes.talkDuties}`} empty={(p) => !p.items.some((d) => d.status === 'open')}>
            {(p) => dutyTable(p.items.filter((d) => d.status === 'open'), 'duties-open')}
          </Section>
        </Card>
      </div>
      <div className="xa-grid">
        <Card ref={formCard} title={<h2 className="xa-card-title">{t('homeroom.logTalk')}</h2>}>
          <TalkForm students={students.data?.items ?? []} prefill={prefill} onSaved={() => { duties.reload(); setPrefill(undefined) }} />
        </Card>
        <Card title={<h2 className="xa-card-title">{t('homeroom.careList')}</h2>} data-testid="care-list">
          <Section loaded={care} route={`GET /api/v1${routes.careList}`} empty={(p) => p.items.length === 0}>
            {(p) => <RecordTable rows={p.items.map(withStudent)} order={['studentId', 'riskLevel', 'guidance', 'addedAt']}
              render={{ studentId: (_v, r) => <StudentRef row={r} link={false} /> }} />}
          </Section>
        </Card>
      </div>
      <Card title={<h2 className="xa-card-title">{t('homeroom.roster')}</h2>}>
        <Section loaded={students} route="GET /api/v1/students" empty={(p) => p.items.length === 0}>
          {(p) => <RecordTable data-testid="class-roster" rows={p.items} order={['studentNo', 'name', 'gender', 'birthDate', 'status']} enums={{ status: 'studentStatus' }} />}
        </Section>
      </Card>
    </div>
  )
}
