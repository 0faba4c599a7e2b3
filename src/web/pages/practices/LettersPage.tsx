import { useEffect, useRef, useState } from 'react'
import { App, Button, Card, Descriptions, Divider, Drawer, Form, Input, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd'
import { AlertOutlined, CheckCircleOutlined, ClockCircleOutlined, FireOutlined, MailOutlined } from '@ant-design/icons'
import { Link } from 'react-router'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { Popconfirm } from '../../components/forms'
import BoxSettings from './BoxSettings'
import { CATEGORIES, RISK_LEVELS, StudentPicker, WriteError } from './shared'

type Filter = 'all' | 'unreplied' | 'replied'

/** Danger, urgent and reply state as icon + words, never colour alone. */
function LetterFlags({ letter }: { letter: Row }) {
  const { t } = useI18n()
  return (
    <Space size={4} wrap>
      {letter.danger === true && <Tag color="red" icon={<FireOutlined aria-hidden />} data-flag="danger">{t('letters.danger')}</Tag>}
      {letter.urgent === true && <Tag color="orange" icon={<AlertOutlined aria-hidden />} data-flag="urgent">{t('letters.urgent')}</Tag>}
      {letter.repliedOn
        ? <Tag color="green" icon={<CheckCircleOutlined aria-hidden />} data-flag="replied">{t('letters.replied')}</Tag>
        : <Tag icon={<ClockCircleOutlined aria-hidden />} data-flag="waiting">{t('letters.waiting')}</Tag>}
    </Space>
  )
}

interface ActionValues { studentId: string | null; whatSeen?: string; riskLevel?: string; summary?: string }

/** One letter: classify, reply, and the actions for a letter that names a student. */
function LetterDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { t, label, locale } = useI18n()
  const { message } = App.useApp()
  const letter = useApi<Row>(id ? routes.letter(id) : null)
  const [triage] = Form.useForm<{ category: string | null; urgent: boolean }>()
  const [replyForm] = Form.useForm<{ replyText: string }>()
  const [actions] = Form.useForm<ActionValues>()
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<{ kind: string; id?: string | null } | null>(null)

  useEffect(() => {
    setError(null)
    setDone(null)
    actions.resetFields()
  }, [id, actions])
  // The forms follow the server's letter, but a reload after another write (saving the
  // category, say) must not wipe a reply the teacher is still typing: a field is set again
  // only when the letter changed or the server's value for it did.
  const applied = useRef<{ id: unknown; category: unknown; urgent: unknown; replyText: unknown } | null>(null)
  useEffect(() => {
    const l = letter.data
    if (!l) return
    const prev = applied.current?.id === l.id ? applied.current : null
    if (!prev || prev.category !== l.category || prev.urgent !== l.urgent) {
      triage.setFieldsValue({ category: typeof l.category === 'string' ? l.category : null, urgent: l.urgent === true })
    }
    if (!prev || prev.replyText !== l.replyText) {
      replyForm.setFieldsValue({ replyText: typeof l.replyText === 'string' ? l.replyText : '' })
    }
    applied.current = { id: l.id, category: l.category, urgent: l.urgent, replyText: l.replyText }
  }, [letter.data, triage, replyForm])

  async function write(kind: string, path: string, method: 'PATCH' | 'PUT' | 'POST', body: unknown, answer?: (r: Row) => string | null | undefined) {
    setBusy(kind)
    setError(null)
    try {
      const r = await api<Row>(path, { method, body })
      message.success(t('common.saved'))
      if (answer) setDone({ kind, id: answer(r) })
      letter.reload()
      onChanged()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  const student = Form.useWatch('studentId', actions)
  const l = letter.data

  return (
    <Drawer open={id !== null} onClose={onClose} size="large" title={t('letters.letter')} destroyOnHidden>
      {id && (
        <div data-testid="letter-drawer">
        <Section loaded={letter}>
          {(d) => (
            <div className="xa-stack">
              <LetterFlags letter={d} />
              <Descriptions size="small" column={1} bordered items={[
                { key: 'writtenOn', label: t('letters.writtenOn'), children: formatDate(d.writtenOn, locale) },
                { key: 'writer', label: t('letters.writer'), children: [d.writerName, d.writerClass].filter(Boolean).map(String).join(' · ') || t('letters.anonymous') },
                { key: 'category', label: t('letters.category'), children: d.category ? label('category', d.category) : t('letters.uncategorised') },
              ]} />
              <Card size="small" title={t('letters.body')}>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="letter-body">{asText(d.body)}</Typography.Paragraph>
              </Card>
              <WriteError error={error} />

              <Form form={triage} layout="inline" onFinish={(v) => void write('triage', routes.letter(id), 'PATCH', { category: v.category ?? null, urgent: v.urgent })} data-testid="triage-form">
                <Form.Item name="category" label={t('letters.category')} htmlFor="letter-category">
                  <Select id="letter-category" allowClear style={{ width: 160 }} placeholder={t('letters.uncategorised')}
                    options={CATEGORIES.map((c) => ({ value: c, label: label('category', c) }))} />
                </Form.Item>
                <Form.Item name="urgent" label={t('letters.urgent')} valuePropName="checked">
                  <Switch checkedChildren={t('common.yes')} unCheckedChildren={t('common.no')} />
                </Form.Item>
                <Button htmlType="submit" loading={busy === 'triage'}>{t('letters.saveTriage')}</Button>
              </Form>

              <Form form={replyForm} layout="vertical" onFinish={(v) => void write('reply', routes.letterReply(id), 'PUT', { replyText: v.replyText.trim() })} data-testid="reply-form">
                <Form.Item name="replyText" label={t('letters.reply')} extra={d.repliedOn ? t('letters.repliedOn', { day: formatDate(d.repliedOn, locale) }) : t('letters.replyHelp')}
                  rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('letters.reply') }) }]}>
                  <Input.TextArea rows={5} maxLength={4000} showCount />
                </Form.Item>
                <Button type="primary" htmlType="submit" icon={<MailOutlined aria-hidden />} loading={busy === 'reply'} data-testid="send-reply">{t('letters.sendReply')}</Button>
              </Form>

              <Divider titlePlacement="start">{t('letters.namesStudent')}</Divider>
              <Typography.Paragraph type="secondary">{t('letters.namesStudentHelp')}</Typography.Paragraph>
              <Form form={actions} layout="vertical" initialValues={{ riskLevel: 'yellow' }} data-testid="letter-actions">
                <Form.Item name="studentId" label={t('common.student')} htmlFor="letter-student">
                  <StudentPicker id="letter-student" />
                </Form.Item>
                <Form.Item name="whatSeen" label={t('letters.alertNote')} extra={t('letters.alertNoteHelp')}>
                  <Input maxLength={500} />
                </Form.Item>
                <Button disabled={!student} loading={busy === 'alert'} data-testid="to-alert" style={{ marginBottom: 16 }}
                  onClick={() => {
                    const v = actions.getFieldsValue()
                    void write('alert', routes.letterAlert(id), 'POST', { studentId: v.studentId, ...(v.whatSeen?.trim() ? { whatSeen: v.whatSeen.trim() } : {}) }, (r) => r.alertId as string)
                  }}>{t('letters.toAlert')}</Button>
                <Space wrap align="end">
                  <Form.Item name="riskLevel" label={t('risk.label')} style={{ marginBottom: 0 }} htmlFor="letter-risk">
                    <Select id="letter-risk" style={{ width: 120 }} options={RISK_LEVELS.map((r) => ({ value: r, label: label('risk', r) }))} />
                  </Form.Item>
                  <Button disabled={!student} loading={busy === 'case'} data-testid="to-case"
                    onClick={() => {
                      const v = actions.getFieldsValue()
                      void write('case', routes.letterCase(id), 'POST', { studentId: v.studentId, riskLevel: v.riskLevel ?? 'yellow' }, (r) => r.caseId as string)
                    }}>{t('letters.toCase')}</Button>
                </Space>
                <div style={{ marginTop: 16 }}>
                  <Popconfirm title={student ? t('letters.dangerConfirmStudent') : t('letters.dangerConfirm')} okText={t('letters.flagDanger')} cancelText={t('common.cancel')}
                    onConfirm={() => write('danger', routes.letterDanger(id), 'POST', student ? { studentId: student } : {}, (r) => (r.crisisId as string | null))}>
                    <Button danger icon={<FireOutlined aria-hidden />} loading={busy === 'danger'} data-testid="to-danger">{t('letters.flagDanger')}</Button>
                  </Popconfirm>
                </div>
              </Form>
              {done && (
                <Typography.Paragraph data-testid="letter-action-done" role="status">
                  <CheckCircleOutlined aria-hidden /> {t(`letters.done.${done.kind}` as 'letters.done.alert')}{' '}
                  {done.kind === 'case' && done.id ? <Link to={`/cases/${done.id}`}>{t('common.open')}</Link> : null}
                </Typography.Paragraph>
              )}
              {l?.danger === true && <Typography.Text type="danger">{t('letters.dangerNote')}</Typography.Text>}
            </div>
          )}
        </Section>
        </div>
      )}
    </Drawer>
  )
}

function Inbox() {
  const { t, label, locale } = useI18n()
  const [filter, setFilter] = useState<Filter>('all')
  const [category, setCategory] = useState<string | undefined>()
  const [open, setOpen] = useState<string | null>(null)
  const list = useApi<Page<Row>>(routes.letters, {
    limit: 100,
    replied: filter === 'all' ? undefined : filter === 'replied',
    category,
  })
  return (
    <div className="xa-stack">
      <Form layout="inline" onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('letters.show')} htmlFor="letters-filter">
          <Select<Filter> id="letters-filter" value={filter} onChange={setFilter} style={{ width: 140 }}
            options={(['all', 'unreplied', 'replied'] as const).map((f) => ({ value: f, label: t(`letters.filter.${f}`) }))} />
        </Form.Item>
        <Form.Item label={t('letters.category')} htmlFor="letters-category">
          <Select id="letters-category" allowClear value={category} onChange={(v?: string) => setCategory(v)} style={{ width: 140 }} placeholder={t('letters.allCategories')}
            options={[...CATEGORIES.map((c) => ({ value: c, label: label('category', c) })), { value: 'none', label: t('letters.uncategorised') }]} />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary">{t('letters.inboxHelp')}</Typography.Paragraph>
      <Section loaded={list}>
        {(p) => (
          <>
            <Typography.Text type="secondary">{t('common.total', { n: p.total })}</Typography.Text>
            <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="letters" scroll={{ x: 'max-content' }}
              pagination={p.items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              onRow={(r) => ({ onClick: () => setOpen(String(r.id)), style: { cursor: 'pointer' } })}
              columns={[
                { key: 'writtenOn', title: t('letters.writtenOn'), dataIndex: 'writtenOn', width: 130, render: (v: unknown) => formatDate(v, locale) },
                { key: 'flags', title: t('common.status'), render: (_: unknown, r: Row) => <LetterFlags letter={r} /> },
                { key: 'category', title: t('letters.category'), render: (_: unknown, r: Row) => (r.category ? label('category', r.category) : t('letters.uncategorised')) },
                { key: 'body', title: t('letters.body'), render: (_: unknown, r: Row) => <span className="xa-clamp" style={{ maxWidth: 420 }}>{asText(r.body)}</span> },
                { key: 'open', title: t('common.actions'), render: (_: unknown, r: Row) => (
                  <Button size="small" onClick={(e) => { e.stopPropagation(); setOpen(String(r.id)) }} aria-label={`${t('common.open')} ${asText(r.writtenOn)}`}>{t('common.open')}</Button>
                ) },
              ]} />
          </>
        )}
      </Section>
      <LetterDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
    </div>
  )
}

/** 解忧树洞 for psychology teachers: the letters (danger and urgent first) and the box settings. */
export default function LettersPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('letters.title')}</Typography.Title>
      <Tabs items={[
        { key: 'inbox', label: t('letters.inbox'), children: <Inbox /> },
        { key: 'box', label: t('letters.box'), children: <BoxSettings /> },
      ]} />
    </div>
  )
}
