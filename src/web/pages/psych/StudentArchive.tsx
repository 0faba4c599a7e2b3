import { useState } from 'react'
import { Button, Card, Empty, Space, Tabs, Tag, Timeline, Typography } from 'antd'
import { PlusOutlined, PrinterOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText, schoolYearLabel } from '../../i18n/format'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { Fields, formatDateTime, Section } from '../../components/common'
import { RecordTable, useClassNames, type Row } from '../../components/records'
import { SixSteps } from '../../components/SixSteps'
import { useAuth } from '../../api/session'
import { OpenCaseDialog } from './OpenCaseDialog'
import { TransferDialog } from './TransferDialog'

interface TimelineItem {
  kind: string
  step: string
  resource: string
  id: string
  at: string
  schoolYear: string
  data: Row
}

interface Archive {
  student: Row
  items: TimelineItem[]
}

/** Where a timeline item can be opened. */
function linkFor(item: TimelineItem): { to: string; print?: boolean } | null {
  if (item.resource === 'cases') return { to: `/cases/${item.id}` }
  if (item.resource === 'referrals') return { to: `/referrals/${item.id}/print`, print: true }
  const caseId = item.data.caseId
  if (typeof caseId === 'string') return { to: `/cases/${caseId}` }
  return null
}

/**
 * 谁查看了该学生: one row per page view (the server folds a page's several requests into one),
 * who, in which role, what they did, the record types in words, and the purpose under its own
 * heading.
 */
function AccessLog({ studentId }: { studentId: string }) {
  const { t, label } = useI18n()
  const log = useApi<Page<Row>>(`/students/${studentId}/access-log`, { limit: 200 })
  const words = (prefix: string, v: unknown) => (Array.isArray(v) ? v : asText(v).split(/[,\s]+/)).filter(Boolean).map((x) => label(prefix, x)).join('、')
  return (
    <Section loaded={log} empty={(p) => p.items.length === 0}>
      {(page) => (
        <RecordTable
          data-testid="access-log"
          resource="audit_log"
          rows={page.items.map((r) => ({ ...r, id: r.seq }))}
          order={['ts', 'actorName', 'actorRoles', 'action', 'resources', 'outcome', 'purpose']}
          titles={{ ts: t('archive.when'), actorName: t('archive.actor'), actorRoles: t('archive.roles'), action: t('archive.action'), resources: t('archive.resource'), outcome: t('archive.outcome'), purpose: t('archive.purpose') }}
          render={{
            actorRoles: (v) => words('role', v),
            resources: (v) => words('resource', v),
            purpose: (v) => (typeof v === 'string' && v ? v : t('archive.noPurpose')),
          }}
          locale={{ emptyText: t('common.empty') }}
        />
      )}
    </Section>
  )
}

export default function StudentArchive() {
  const { id = '' } = useParams()
  const { t, label, locale } = useI18n()
  const [tab, setTab] = useState('timeline')
  const [opening, setOpening] = useState(false)
  const [transferring, setTransferring] = useState(false)
  // Only psychology teachers open cases (the school admin reaches this page from the roster).
  const canOpenCase = useAuth().roles.includes('psych_teacher')
  const archive = useApi<Archive>(`/students/${id}/archive`)
  const guardians = useApi<Page<Row>>(tab === 'basic' ? `/students/${id}/guardians` : null)
  const classNames = useClassNames()

  return (
    <Section loaded={archive}>
      {({ student, items }) => {
        const counts: Record<string, number> = {}
        for (const it of items) counts[it.step] = (counts[it.step] ?? 0) + 1
        const years = [...new Set(items.map((i) => i.schoolYear))].sort().reverse()
        const title = [student.name, student.studentNo].filter(Boolean).join(' · ')
        return (
          <div className="xa-stack">
            <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }} data-testid="archive-title">
              {t('archive.title')}：{title || '—'}
              {typeof student.classId === 'string' && classNames.get(student.classId) && <Tag style={{ marginLeft: 8 }}>{classNames.get(student.classId)}</Tag>}
            </Typography.Title>
            {canOpenCase && (
              <Space wrap>
                <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setOpening(true)} data-testid="open-case">{t('caseForm.openCase')}</Button>
                <OpenCaseDialog studentId={id} open={opening} onClose={() => setOpening(false)} />
                <Link to={`/peer-watch?student=${id}&new=1`} data-testid="archive-peer-watch"><Button>{t('psy.watch.new')}</Button></Link>
                <Button onClick={() => setTransferring(true)} data-testid="transfer-start">{t('tr.action')}</Button>
                <TransferDialog student={student} open={transferring} onClose={() => setTransferring(false)} onDone={() => archive.reload()} />
              </Space>
            )}
            <Card><SixSteps counts={counts} /></Card>
            <Tabs
              activeKey={tab}
              onChange={setTab}
              items={[
                {
                  key: 'timeline',
                  label: t('archive.timeline'),
                  children: items.length === 0
                    ? <Empty description={t('archive.noItems')} />
                    : years.map((y) => (
                      <section key={y} aria-label={t('archive.schoolYear', { year: schoolYearLabel(y) })}>
                        <Typography.Title level={2} style={{ fontSize: 16 }}>{t('archive.schoolYear', { year: schoolYearLabel(y) })}</Typography.Title>
                        <Timeline
                          data-testid="archive-timeline"
                          items={items.filter((i) => i.schoolYear === y).reverse().map((it) => {
                            const link = linkFor(it)
                            return {
                              key: `${it.resource}:${it.id}`,
                              title: formatDateTime(it.at, locale),
                              content: (
                                <div data-resource={it.resource}>
                                  <Space wrap>
                                    <Tag color="blue">{t(`step.${it.step}` as MessageKey)}</Tag>
                                    <strong data-kind={it.kind}>{label('kind', it.kind)}</strong>
                                    {link && <Link to={link.to}>{link.print ? <><PrinterOutlined aria-hidden /> {t('case.printReferral')}</> : t('common.open')}</Link>}
                                  </Space>
                                  <div style={{ marginTop: 8 }}><Fields record={it.data} resource={it.resource} /></div>
                                </div>
                              ),
                            }
                          })}
                        />
                      </section>
                    )),
                },
                {
                  key: 'basic',
                  label: t('archive.basic'),
                  children: (
                    <div className="xa-stack">
                      <Fields record={{ ...student, ...(typeof student.classId === 'string' ? { class: classNames.get(student.classId) ?? '—' } : {}) }} resource="students" />
                      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('archive.guardians')}</Typography.Title>
                      <Section loaded={guardians} empty={(p) => p.items.length === 0}>
                        {(page) => <RecordTable rows={page.items} resource="guardians" order={['name', 'relation', 'phone', 'isPrimary']} />}
                      </Section>
                    </div>
                  ),
                },
                {
                  key: 'access',
                  label: t('archive.accessLog'),
                  children: tab === 'access' ? <AccessLog studentId={id} /> : null,
                },
              ]}
            />
            <Button onClick={() => window.history.back()}>{t('common.back')}</Button>
          </div>
        )
      }}
    </Section>
  )
}
