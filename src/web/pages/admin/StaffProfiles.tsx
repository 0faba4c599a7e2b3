import { useEffect, useState } from 'react'
import { App, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Space, Statistic, Table, Tag, Typography } from 'antd'
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import type { Row } from '../../components/records'
import { Popconfirm } from '../../components/forms'
import { useFailure, WriteError } from '../practices/shared'

interface Values {
  who: 'account' | 'name'
  userId?: string
  name?: string
  employment: 'full_time' | 'part_time'
  qualifications?: string[]
  trainingHoursYear?: number
  trainingYear?: number
}

const COMMON_QUALIFICATIONS = ['国家二级心理咨询师', '国家三级心理咨询师', '中小学心理健康教育教师资格', '心理健康教育 C 证', '心理健康教育 B 证', '心理健康教育 A 证']

/** 心理健康教师基本情况 (school admin): full- and part-time psychology staff, qualifications, training hours. */
export default function StaffProfiles() {
  const { t, label } = useI18n()
  const { message } = App.useApp()
  const fail = useFailure()
  const staff = useApi<Page<Row>>(routes.staffProfiles, { limit: 200 })
  const users = useApi<Page<Row>>(routes.users, { limit: 500, status: 'active' })
  const userName = new Map((users.data?.items ?? []).map((u) => [String(u.id), `${asText(u.displayName)}（${asText(u.username)}）`]))
  const [form] = Form.useForm<Values>()
  const [editing, setEditing] = useState<Row | 'new' | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const who = Form.useWatch('who', form)
  const year = new Date().getFullYear()

  useEffect(() => {
    if (editing === null) return
    const r = editing === 'new' ? null : editing
    form.resetFields()
    form.setFieldsValue({
      who: r && !r.userId ? 'name' : r ? 'account' : 'name',
      userId: typeof r?.userId === 'string' ? r.userId : undefined,
      name: typeof r?.name === 'string' ? r.name : undefined,
      employment: r?.employment === 'part_time' ? 'part_time' : 'full_time',
      qualifications: Array.isArray(r?.qualifications) ? (r.qualifications as string[]) : [],
      trainingHoursYear: typeof r?.trainingHoursYear === 'number' ? r.trainingHoursYear : 0,
      trainingYear: typeof r?.trainingYear === 'number' ? r.trainingYear : year,
    })
  }, [editing, form, year])

  async function save(v: Values) {
    setBusy(true)
    setError(null)
    const body = {
      ...(v.who === 'account' ? { userId: v.userId, name: null } : { name: v.name?.trim(), userId: null }),
      employment: v.employment,
      qualifications: (v.qualifications ?? []).map((q) => q.trim()).filter(Boolean),
      trainingHoursYear: v.trainingHoursYear ?? 0,
      trainingYear: v.trainingYear ?? year,
    }
    try {
      if (editing === 'new') {
        // A new profile: an absent key rather than null for the side not chosen.
        const { userId, name, ...rest } = body
        await api(routes.staffProfiles, { method: 'POST', body: { ...rest, ...(userId ? { userId } : {}), ...(name ? { name } : {}) } })
      } else if (editing) {
        await api(routes.staffProfile(String(editing.id)), { method: 'PATCH', body })
      }
      message.success(t('common.saved'))
      setEditing(null)
      staff.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  async function remove(id: string) {
    try {
      await api(routes.staffProfile(id), { method: 'DELETE' })
      staff.reload()
    } catch (e) {
      fail(e)
    }
  }

  const items = staff.data?.items ?? []
  const full = items.filter((s) => s.employment === 'full_time').length
  const part = items.filter((s) => s.employment === 'part_time').length

  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('staff.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('staff.help')}</Typography.Paragraph>
      <div className="xa-grid">
        <Card><Statistic title={t('staff.fullTime')} value={full} /></Card>
        <Card><Statistic title={t('staff.partTime')} value={part} /></Card>
      </div>
      <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => { setError(null); setEditing('new') }} data-testid="new-staff">{t('staff.add')}</Button>
      <Section loaded={staff}>
        {(p) => (
          <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={p.items} data-testid="staff" scroll={{ x: 'max-content' }} pagination={false}
            columns={[
              { key: 'name', title: t('field.name'), render: (_: unknown, r: Row) => (typeof r.name === 'string' ? r.name : userName.get(String(r.userId)) ?? t('staff.linkedAccount')) },
              { key: 'employment', title: t('staff.employment'), render: (_: unknown, r: Row) => label('employment', r.employment) },
              { key: 'qualifications', title: t('staff.qualifications'), render: (_: unknown, r: Row) => (
                <Space size={4} wrap>{(Array.isArray(r.qualifications) ? r.qualifications : []).map((q) => <Tag key={String(q)}>{String(q)}</Tag>)}</Space>
              ) },
              { key: 'trainingHoursYear', title: t('staff.trainingHours'), align: 'right', render: (_: unknown, r: Row) => `${asText(r.trainingHoursYear, '0')}（${asText(r.trainingYear)}）` },
              { key: 'actions', title: t('common.actions'), render: (_: unknown, r: Row) => (
                <Space>
                  <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => { setError(null); setEditing(r) }}>{t('practices.edit')}</Button>
                  <Popconfirm title={t('staff.deleteConfirm')} okText={t('practices.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(String(r.id))}>
                    <Button size="small" danger icon={<DeleteOutlined aria-hidden />}>{t('practices.delete')}</Button>
                  </Popconfirm>
                </Space>
              ) },
            ]} />
        )}
      </Section>
      <Modal open={editing !== null} title={editing === 'new' ? t('staff.add') : t('staff.edit')} onCancel={() => setEditing(null)} forceRender
        okText={t('common.save')} cancelText={t('common.cancel')} onOk={() => form.submit()} confirmLoading={busy}>
        <WriteError error={error} />
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void save(v)} data-testid="staff-form">
          <Form.Item name="who" label={t('staff.who')}>
            <Radio.Group options={[{ value: 'name', label: t('staff.byName') }, { value: 'account', label: t('staff.byAccount') }]} />
          </Form.Item>
          {who === 'account'
            ? (
              <Form.Item name="userId" label={t('staff.account')} htmlFor="staff-user" rules={[{ required: true, message: t('login.required', { field: t('staff.account') }) }]}>
                <Select id="staff-user" showSearch={{ optionFilterProp: 'label' }} options={[...userName].map(([value, l]) => ({ value, label: l }))} />
              </Form.Item>
            )
            : (
              <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('field.name') }) }]}>
                <Input maxLength={50} />
              </Form.Item>
            )}
          <Form.Item name="employment" label={t('staff.employment')} rules={[{ required: true }]}>
            <Radio.Group options={(['full_time', 'part_time'] as const).map((e) => ({ value: e, label: label('employment', e) }))} />
          </Form.Item>
          <Form.Item name="qualifications" label={t('staff.qualifications')} extra={t('staff.qualificationsHelp')} htmlFor="staff-qualifications">
            <Select id="staff-qualifications" mode="tags" maxCount={20} options={COMMON_QUALIFICATIONS.map((q) => ({ value: q, label: q }))} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="trainingHoursYear" label={t('staff.trainingHoursYear')}>
              <InputNumber min={0} max={2000} />
            </Form.Item>
            <Form.Item name="trainingYear" label={t('staff.trainingYear')}>
              <InputNumber min={2000} max={2100} />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </div>
  )
}
