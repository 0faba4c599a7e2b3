import { useCallback, useEffect, useState } from 'react'
import { Alert, App, Button, Card, Empty, Form, Input, InputNumber, Space, Table, Tag, Typography } from 'antd'
import { useI18n } from '../../i18n'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import { api, type ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import { asApiError, WriteError, Popconfirm } from '../../components/forms'

interface Move { classId: string; fromName: string; toName: string; students: number }
interface Graduation { classId: string; level: number; gradeName: string; name: string; students: number }
interface Plan {
  schoolYear: string
  moves: Move[]
  graduations: Graduation[]
  graduatingStudents: number
  entryClasses: Array<{ level: number; seq: number; name: string }>
  entryDefaults: Array<{ level: number; name: string; count: number }>
  newGrades: Array<{ level: number; name: string }>
  grantsEnding: Array<{ id: string; displayName: string; role: string; className: string }>
}
interface Summary { moved: number; graduatedClasses: number; graduatedStudents: number; entryClasses: number; grantsEnded: number }
interface Rollover {
  id: string; schoolYear: string; appliedAt: string; undoneAt: string | null; summary: Summary
  undo: { allowed: boolean; message?: string }
}

/** The school year a rollover starts by default, as the server reckons it: from June on, the one beginning this September. */
function defaultYear(now = new Date()): string {
  const y = now.getFullYear()
  const start = now.getMonth() + 1 >= 6 ? y : y - 1
  return `${start}-${start + 1}`
}

const consecutive = (s: string) => /^\d{4}-\d{4}$/.test(s) && Number(s.slice(5)) === Number(s.slice(0, 4)) + 1

/**
 * 升年级 (school admin): the preview as tables in words (七年级(1)班 → 八年级(1)班, 九年级 N 名学生
 * 毕业, new classes, the class roles that end), the apply behind a confirmation, and the
 * school's past rollovers with an undo while the server still allows it.
 */
export default function RolloverPage() {
  const { t, locale } = useI18n()
  const { message } = App.useApp()
  const [year, setYear] = useState(defaultYear)
  const [counts, setCounts] = useState<Record<number, number>>({})
  const [plan, setPlan] = useState<Plan>()
  const [error, setError] = useState<ApiError>()
  const [busy, setBusy] = useState(false)
  const history = useApi<Page<Rollover>>(routes.rollovers, { limit: 50 })

  const body = useCallback(() => ({
    schoolYear: year,
    ...(Object.keys(counts).length ? { entryClasses: Object.entries(counts).map(([level, count]) => ({ level: Number(level), count })) } : {}),
  }), [year, counts])

  const preview = useCallback(async () => {
    if (!consecutive(year)) return
    setError(undefined)
    try {
      setPlan(await api<Plan>(routes.rolloverPreview, { method: 'POST', body: body() }))
    } catch (e) {
      setPlan(undefined)
      setError(asApiError(e))
    }
  }, [year, body])

  // The preview follows the form (and the language: the server words its refusals).
  useEffect(() => { void preview() }, [preview, locale])

  async function apply() {
    setBusy(true)
    setError(undefined)
    try {
      await api(routes.rollover, { method: 'POST', body: body() })
      message.success(t('rollover.applied', { year }))
      history.reload()
      await preview()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  async function undo(id: string) {
    setError(undefined)
    try {
      await api(routes.rolloverUndo(id), { method: 'POST' })
      message.success(t('rollover.undoneOk'))
      history.reload()
      await preview()
    } catch (e) {
      setError(asApiError(e))
      history.reload()
    }
  }

  const byGrade = new Map<string, { students: number; classes: number }>()
  for (const g of plan?.graduations ?? []) {
    const cur = byGrade.get(g.gradeName) ?? { students: 0, classes: 0 }
    byGrade.set(g.gradeName, { students: cur.students + g.students, classes: cur.classes + 1 })
  }

  return (
    <div className="xa-stack" data-testid="rollover">
      <Typography.Paragraph type="secondary">{t('rollover.help')}</Typography.Paragraph>
      <Form layout="inline" onSubmitCapture={(e) => { e.preventDefault(); void preview() }}>
        <Form.Item label={t('rollover.schoolYear')} htmlFor="rollover-year" extra={t('rollover.schoolYearHelp')}
          validateStatus={consecutive(year) ? undefined : 'error'} help={consecutive(year) ? undefined : t('rollover.schoolYearInvalid')}>
          <Input id="rollover-year" value={year} maxLength={9} style={{ width: 130 }} onChange={(e) => setYear(e.target.value.trim())} />
        </Form.Item>
        {(plan?.entryDefaults ?? []).map((d) => (
          <Form.Item key={d.level} label={t('rollover.entryCount', { grade: d.name })} htmlFor={`rollover-entry-${d.level}`} extra={t('rollover.entryCountHelp', { grade: d.name })}>
            <InputNumber id={`rollover-entry-${d.level}`} min={0} max={30} value={counts[d.level] ?? d.count}
              onChange={(v) => setCounts((c) => ({ ...c, [d.level]: typeof v === 'number' ? v : d.count }))} />
          </Form.Item>
        ))}
      </Form>

      {/* The year already rolled over is where the admin stands after applying, not a fault. */}
      {error && (error.code === 'rollover_done'
        ? <Alert type="success" showIcon title={error.message} data-testid="rollover-done" />
        : <WriteError error={error} />)}

      {plan && (
        <div className="xa-stack" data-testid="rollover-preview">
          <Alert type="info" showIcon data-testid="rollover-summary" title={t('rollover.summary', {
            year: plan.schoolYear, moves: plan.moves.length, gradClasses: plan.graduations.length, gradStudents: plan.graduatingStudents,
            entry: plan.entryClasses.length, grants: plan.grantsEnding.length,
          })} />
          {plan.newGrades.length > 0 && <Typography.Text>{t('rollover.newGrades', { grades: plan.newGrades.map((g) => g.name).join('、') })}</Typography.Text>}

          <Card size="small" title={t('rollover.graduations')}>
            {byGrade.size === 0
              ? <Typography.Text type="secondary">{t('rollover.noGraduation')}</Typography.Text>
              : (
                <div className="xa-stack">
                  <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                    {[...byGrade].map(([grade, n]) => (
                      <li key={grade} data-testid="rollover-graduation"><Typography.Text strong>{t('rollover.graduationLine', { grade, students: n.students, classes: n.classes })}</Typography.Text></li>
                    ))}
                  </ul>
                  <Table<Graduation> size="small" rowKey="classId" dataSource={plan.graduations} pagination={false}
                    columns={[
                      { key: 'name', title: t('rollover.graduatingClass'), dataIndex: 'name' },
                      { key: 'students', title: t('rollover.students'), render: (_: unknown, g) => t('rollover.studentCount', { n: g.students }) },
                    ]} />
                </div>
              )}
          </Card>

          <Card size="small" title={t('rollover.moves')}>
            <Table<Move> size="small" rowKey="classId" dataSource={plan.moves} pagination={false} data-testid="rollover-moves"
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common.empty')} /> }}
              columns={[
                { key: 'from', title: t('rollover.from'), dataIndex: 'fromName' },
                { key: 'arrow', title: '', width: 40, render: () => <span aria-hidden>→</span> },
                { key: 'to', title: t('rollover.to'), dataIndex: 'toName' },
                { key: 'students', title: t('rollover.students'), render: (_: unknown, m) => t('rollover.studentCount', { n: m.students }) },
              ]} />
          </Card>

          <Card size="small" title={t('rollover.entryClasses')}>
            {plan.entryClasses.length === 0
              ? <Typography.Text type="secondary">{t('rollover.noEntry')}</Typography.Text>
              : <Space wrap data-testid="rollover-entry">{plan.entryClasses.map((c) => <Tag key={`${c.level}-${c.seq}`} style={{ fontSize: 14, padding: '4px 8px' }}>{c.name}</Tag>)}</Space>}
          </Card>

          <Card size="small" title={t('rollover.grants')}>
            <Table size="small" rowKey="id" dataSource={plan.grantsEnding} pagination={false} data-testid="rollover-grants"
              locale={{ emptyText: t('rollover.noGrants') }}
              columns={[
                { key: 'staff', title: t('rollover.staff'), dataIndex: 'displayName' },
                { key: 'role', title: t('rollover.role'), render: (_: unknown, g: Plan['grantsEnding'][number]) => t(`role.${g.role}` as MessageKey) },
                { key: 'class', title: t('rollover.class'), dataIndex: 'className' },
              ]} />
          </Card>

          <div>
            <Popconfirm title={t('rollover.applyConfirm', { year: plan.schoolYear })} okText={t('rollover.apply')} cancelText={t('common.cancel')} onConfirm={() => apply()}>
              <Button type="primary" danger loading={busy} data-testid="rollover-apply">{t('rollover.apply')}</Button>
            </Popconfirm>
          </div>
        </div>
      )}

      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('rollover.history')}</Typography.Title>
      <Section loaded={history}>
        {(p) => (
          <Table<Rollover> size="small" rowKey="id" dataSource={p.items} pagination={false} data-testid="rollover-history"
            locale={{ emptyText: t('rollover.noHistory') }}
            columns={[
              { key: 'year', title: t('rollover.schoolYear'), dataIndex: 'schoolYear' },
              { key: 'at', title: t('rollover.appliedAt'), render: (_: unknown, r) => formatDateTime(r.appliedAt, locale) },
              { key: 'result', title: t('rollover.result'), render: (_: unknown, r) => t('rollover.resultLine', {
                moves: r.summary.moved, gradStudents: r.summary.graduatedStudents, entry: r.summary.entryClasses, grants: r.summary.grantsEnded,
              }) },
              { key: 'state', title: t('rollover.state'), render: (_: unknown, r) => (r.undoneAt
                ? t('rollover.undone', { at: formatDateTime(r.undoneAt, locale) })
                : r.undo.allowed ? t('rollover.undoable') : (r.undo.message ?? '—')) },
              { key: 'undo', title: '', render: (_: unknown, r) => (r.undo.allowed && (
                <Popconfirm title={t('rollover.undoConfirm')} okText={t('rollover.undo')} cancelText={t('common.cancel')} onConfirm={() => undo(r.id)}>
                  <Button size="small" danger data-testid="rollover-undo">{t('rollover.undo')}</Button>
                </Popconfirm>
              )) },
            ]} />
        )}
      </Section>
    </div>
  )
}
