import { useState } from 'react'
import { Button, Card, Form, Input, Segmented, Select, Space, Table, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, RiskTag, Section } from '../../components/common'
import { compact, FormDialog, useRequired } from '../../components/forms'
import { useClassNames, type Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { StudentPicker } from './student-picker'
import { classOptions, StudentClass } from './student-class'
import { CareFields } from './screening-actions'

const RISKS = ['red', 'orange', 'yellow', 'green'] as const
const STATES = ['active', 'removed', 'all'] as const
const SOURCES = ['screening', 'manual'] as const
const PAGE_SIZE = 20

/** A free-text cell wrapped to a readable width, so the dates and actions stay on screen. */
const Note = ({ text }: { text: unknown }) => <div style={{ maxWidth: 240, minWidth: 120, whiteSpace: 'pre-wrap' }}>{typeof text === 'string' && text ? text : '—'}</div>

/** 修改: risk, reason (psychology teachers only) and the guidance others read. */
function EditDialog({ entry, onClose, onDone }: { entry: Row; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  return (
    <FormDialog<{ riskLevel: string; reason?: string; guidance?: string }> open onClose={onClose} onDone={onDone} testId="care-edit" title={t('psy.care.editTitle')}
      initialValues={{ riskLevel: asText(entry.riskLevel, 'yellow'), reason: (entry.reason as string | null) ?? '', guidance: (entry.guidance as string | null) ?? '' }}
      onSubmit={(v) => api(routes.careEntry(String(entry.id)), {
        method: 'PATCH', body: { riskLevel: v.riskLevel, reason: v.reason?.trim() || null, guidance: v.guidance?.trim() || null },
      })}>
      <CareFields riskId="care-edit-risk" riskLabel={t('psy.care.risk')} />
    </FormDialog>
  )
}

/** 移出关注名单 with the reason the server insists on. */
function RemoveDialog({ entry, onClose, onDone }: { entry: Row; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<{ removedReason: string }> open onClose={onClose} onDone={onDone} testId="care-remove" title={t('psy.care.removeTitle')} submitText={t('psy.care.remove')}
      onSubmit={(v) => api(routes.careRemove(String(entry.id)), { method: 'POST', body: { removedReason: v.removedReason.trim() } })}>
      <Form.Item label={t('psy.care.student')}><StudentRef row={entry} link={false} /></Form.Item>
      <Form.Item name="removedReason" label={t('psy.care.removedReason')} extra={t('psy.care.removeReasonHelp')} rules={required(t('psy.care.removedReason'))}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </FormDialog>
  )
}

/** 加入关注名单 without a screening: a student found by name or 学号. */
function AddDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<{ studentId: string; riskLevel: string; reason?: string; guidance?: string }> open onClose={onClose} onDone={onDone} testId="care-new" title={t('psy.care.add')}
      initialValues={{ riskLevel: 'yellow' }}
      onSubmit={(v) => api(routes.studentCareList(v.studentId), { method: 'POST', body: { riskLevel: v.riskLevel, ...compact({ reason: v.reason, guidance: v.guidance }) } })}>
      <Form.Item name="studentId" label={t('psy.care.chooseStudent')} htmlFor="care-new-student" rules={required(t('psy.care.chooseStudent'))}>
        <StudentPicker id="care-new-student" />
      </Form.Item>
      <CareFields riskId="care-new-risk" riskLabel={t('psy.care.risk')} />
    </FormDialog>
  )
}

/**
 * 关注名单: every entry of the school, filtered on the server (status, risk level, class,
 * source, words of the reason) and paged there too; each row opens the student.
 */
export default function CareListPage() {
  const { t, locale } = useI18n()
  const classNames = useClassNames()
  const [state, setState] = useState<(typeof STATES)[number]>('active')
  const [riskLevel, setRiskLevel] = useState<string | undefined>()
  const [classId, setClassId] = useState<string | undefined>()
  const [source, setSource] = useState<string | undefined>()
  const [q, setQ] = useState('')
  const [offset, setOffset] = useState(0)
  const [dialog, setDialog] = useState<{ kind: 'edit' | 'remove'; entry: Row } | { kind: 'add' } | null>(null)
  const list = useApi<Page<Row>>(routes.careList, { state, riskLevel, classId, source, q: q.trim() || undefined, limit: PAGE_SIZE, offset })
  const reset = () => setOffset(0)
  const close = () => setDialog(null)
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('psy.care.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('psy.care.help')}</Typography.Paragraph>
      <Card>
        <Space wrap size="middle" data-testid="care-filters">
          <Segmented<(typeof STATES)[number]> value={state} aria-label={t('psy.care.status')} data-testid="care-state"
            onChange={(v) => { reset(); setState(v) }} options={STATES.map((s) => ({ value: s, label: t(`psy.care.state.${s}`) }))} />
          <Select allowClear aria-label={t('psy.care.risk')} placeholder={t('psy.care.allLevels')} style={{ minWidth: 140 }} value={riskLevel} data-testid="care-risk-filter"
            onChange={(v) => { reset(); setRiskLevel(v) }} options={RISKS.map((r) => ({ value: r, label: <RiskTag level={r} /> }))} />
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} aria-label={t('psy.care.class')} placeholder={t('psy.care.allClasses')} style={{ minWidth: 160 }} value={classId}
            onChange={(v) => { reset(); setClassId(v) }} options={classOptions(classNames)} data-testid="care-class-filter" />
          <Select allowClear aria-label={t('psy.care.source')} placeholder={t('psy.care.allSources')} style={{ minWidth: 130 }} value={source}
            onChange={(v) => { reset(); setSource(v) }} options={SOURCES.map((s) => ({ value: s, label: t(`psy.care.source.${s}`) }))} />
          <Input.Search allowClear aria-label={t('psy.care.reasonSearch')} placeholder={t('psy.care.reasonSearch')} style={{ width: 200 }}
            onSearch={(v) => { reset(); setQ(v) }} />
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setDialog({ kind: 'add' })} data-testid="care-add-button">{t('psy.care.add')}</Button>
        </Space>
      </Card>
      <Section loaded={list}>
        {(p) => (
          <Table<Row> size="small" data-testid="care-list" rowKey={(r) => String(r.id)} dataSource={p.items} scroll={{ x: 'max-content' }}
            pagination={{ current: Math.floor(offset / PAGE_SIZE) + 1, pageSize: PAGE_SIZE, total: p.total, showSizeChanger: false,
              showTotal: (n) => t('common.total', { n }), onChange: (page) => setOffset((page - 1) * PAGE_SIZE) }}
            columns={[
              { key: 'student', title: t('psy.care.student'), render: (_: unknown, r: Row) => <StudentRef row={r} /> },
              { key: 'class', title: t('psy.care.class'), render: (_: unknown, r: Row) => <StudentClass studentId={String(r.studentId)} classNames={classNames} /> },
              { key: 'risk', title: t('psy.care.risk'), render: (_: unknown, r: Row) => <RiskTag level={r.riskLevel} /> },
              { key: 'reason', title: t('psy.care.reason'), render: (_: unknown, r: Row) => <Note text={r.reason} /> },
              { key: 'guidance', title: t('psy.care.guidance'), render: (_: unknown, r: Row) => <Note text={r.guidance} /> },
              { key: 'source', title: t('psy.care.source'), render: (_: unknown, r: Row) => t(`psy.care.source.${r.sourceResponseId ? 'screening' : 'manual'}`) },
              { key: 'addedAt', title: t('psy.care.addedAt'), render: (_: unknown, r: Row) => formatDateTime(r.addedAt, locale) },
              ...(state === 'active' ? [] : [
                { key: 'removedAt', title: t('psy.care.removedAt'), render: (_: unknown, r: Row) => formatDateTime(r.removedAt, locale) },
                { key: 'removedReason', title: t('psy.care.removedReason'), render: (_: unknown, r: Row) => <Note text={r.removedReason} /> },
              ]),
              {
                key: 'actions', title: t('common.actions'),
                render: (_: unknown, r: Row) => (r.removedAt ? <span>{t('psy.care.state.removed')}</span> : (
                  <Space size={4} wrap>
                    <Button size="small" onClick={() => setDialog({ kind: 'edit', entry: r })} data-testid="care-edit-button">{t('psy.care.edit')}</Button>
                    <Button size="small" danger onClick={() => setDialog({ kind: 'remove', entry: r })} data-testid="care-remove-button">{t('psy.care.remove')}</Button>
                  </Space>
                )),
              },
            ]} />
        )}
      </Section>
      {dialog?.kind === 'edit' && <EditDialog entry={dialog.entry} onClose={close} onDone={list.reload} />}
      {dialog?.kind === 'remove' && <RemoveDialog entry={dialog.entry} onClose={close} onDone={list.reload} />}
      {dialog?.kind === 'add' && <AddDialog onClose={close} onDone={list.reload} />}
    </div>
  )
}
