import { useState } from 'react'
import { Button, Card, DatePicker, Empty, Form, Input, Select, Space, Table, Tag, Typography } from 'antd'
import { MinusCircleOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, type ApiError, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { asApiError, compact, FormDialog, isoDay, Popconfirm, useRequired, WriteError } from '../../components/forms'
import type { Row } from '../../components/records'

const TEAM_ROLES = ['leader', 'homeroom', 'psychology', 'subject_teacher', 'other'] as const

interface Member { userId: string; teamRole: string }
interface TeamValues { purpose: string; startDate?: Dayjs; members: Member[] }

const userLabel = (u: Row) => [u.displayName, u.username ? `(${asText(u.username)})` : ''].filter(Boolean).join(' ')

type Dialog = 'new' | { add: string } | { end: string }

/**
 * 多帮一小组 on the psychology teacher's case screen: the teams around the student, their
 * members (each a pairing: they see what a paired mentor sees, while it lasts), and the
 * writes: form a team, add or remove a member, end the team.
 */
export function SupportTeamCard({ studentId }: { studentId: string }) {
  const { t, label, locale } = useI18n()
  const required = useRequired()
  const teams = useApi<Page<Row>>(routes.supportTeams, { studentId, limit: 50 })
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const [failure, setFailure] = useState<ApiError | null>(null)
  // Staff names: for the members shown and for the choices in a dialog.
  const users = useApi<Page<Row>>(routes.users, { status: 'active', limit: 500 })
  const names = new Map((users.data?.items ?? []).map((u) => [String(u.id), userLabel(u)]))
  const options = (users.data?.items ?? []).map((u) => ({ value: String(u.id), label: userLabel(u) }))
  const roleOptions = TEAM_ROLES.map((r) => ({ value: r, label: label('teamRole', r) }))
  const close = () => setDialog(null)
  const items = teams.data?.items ?? []
  const hasActive = items.some((x) => !x.endedAt)

  async function removeMember(teamId: string, memberId: string) {
    setFailure(null)
    try {
      await api(routes.supportTeamMemberEnd(teamId, memberId), { method: 'POST' })
      teams.reload()
    } catch (e) {
      setFailure(asApiError(e))
    }
  }

  const memberRows = (team: Row) => (Array.isArray(team.members) ? (team.members as Row[]) : [])

  return (
    <Card title={<h2 className="xa-card-title">{t('teams.title')}</h2>} data-testid="support-teams"
      extra={!hasActive && <Button size="small" icon={<TeamOutlined aria-hidden />} onClick={() => setDialog('new')} data-testid="team-new">{t('teams.new')}</Button>}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>{t('teams.help')}</Typography.Paragraph>
      {failure && <WriteError error={failure} />}
      <Section loaded={teams}>
        {(p) => p.items.length === 0 ? <Empty description={t('teams.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
          <div className="xa-stack">
            {p.items.map((team) => {
              const id = String(team.id)
              const ended = !!team.endedAt
              return (
                <div key={id} data-testid="team">
                  <Space wrap style={{ marginBottom: 8 }}>
                    <Typography.Text strong>{asText(team.purpose)}</Typography.Text>
                    <Typography.Text type="secondary">{formatDate(team.startDate, locale)}</Typography.Text>
                    {ended ? <Tag>{t('teams.ended')}</Tag> : <Tag color="green">{t('teams.active')}</Tag>}
                    {!ended && <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={() => setDialog({ add: id })} data-testid="team-add">{t('teams.addMember')}</Button>}
                    {!ended && <Button size="small" danger onClick={() => setDialog({ end: id })} data-testid="team-end">{t('teams.end')}</Button>}
                  </Space>
                  <Table<Row> size="small" rowKey={(r) => String(r.id)} dataSource={memberRows(team)} pagination={false} data-testid="team-members"
                    columns={[
                      { key: 'mentorId', title: t('teams.member'), render: (_: unknown, r: Row) => names.get(String(r.mentorId)) ?? '—' },
                      { key: 'teamRole', title: t('field.teamRole'), render: (_: unknown, r: Row) => label('teamRole', r.teamRole) },
                      { key: 'startDate', title: t('field.startDate'), render: (_: unknown, r: Row) => formatDate(r.startDate, locale) },
                      { key: 'status', title: t('common.actions'), render: (_: unknown, r: Row) => r.endedAt
                        ? <Typography.Text type="secondary">{t('teams.left')} {formatDate(r.endedAt, locale)}</Typography.Text>
                        : ended ? null : (
                          <Popconfirm title={t('teams.removeConfirm')} okText={t('teams.removeMember')} cancelText={t('common.cancel')} onConfirm={() => removeMember(id, String(r.id))}>
                            <Button size="small">{t('teams.removeMember')}</Button>
                          </Popconfirm>
                        ) },
                    ]} />
                </div>
              )
            })}
          </div>
        )}
      </Section>

      <FormDialog<TeamValues> open={dialog === 'new'} onClose={close} onDone={teams.reload} testId="team-dialog" title={t('teams.new')} width={640}
        initialValues={{ startDate: dayjs(), members: [{ userId: '', teamRole: 'leader' }] }}
        onSubmit={(v) => api(routes.studentSupportTeams(studentId), {
          method: 'POST',
          body: { purpose: v.purpose.trim(), ...compact({ startDate: isoDay(v.startDate) }), members: v.members.map((m) => ({ userId: m.userId, teamRole: m.teamRole })) },
        })}>
        <Form.Item name="purpose" label={t('field.purpose')} rules={[...required(t('field.purpose')), { whitespace: true, message: t('login.required', { field: t('field.purpose') }) }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="startDate" label={t('field.startDate')}>
          <DatePicker />
        </Form.Item>
        <Typography.Text strong>{t('teams.members')}</Typography.Text>
        <Form.List name="members">
          {(fields, { add, remove }) => (
            <div style={{ marginTop: 8, marginBottom: 16 }}>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'userId']} rules={required(t('teams.member'))}>
                    <Select style={{ width: 260 }} options={options} showSearch={{ optionFilterProp: 'label' }} aria-label={t('teams.member')} placeholder={t('teams.member')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'teamRole']} rules={required(t('field.teamRole'))}>
                    <Select style={{ width: 150 }} options={roleOptions} aria-label={t('field.teamRole')} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={t('teams.removeMember')} />}
                </Space>
              ))}
              <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={() => add({ teamRole: 'subject_teacher' })}>{t('teams.addMember')}</Button>
            </div>
          )}
        </Form.List>
      </FormDialog>

      <FormDialog<Member> open={typeof dialog === 'object' && dialog !== null && 'add' in dialog} onClose={close} onDone={teams.reload} testId="team-member-dialog"
        title={t('teams.addMember')} initialValues={{ teamRole: 'subject_teacher' }}
        onSubmit={(v) => api(routes.supportTeamMembers(typeof dialog === 'object' && dialog !== null && 'add' in dialog ? dialog.add : ''), { method: 'POST', body: { userId: v.userId, teamRole: v.teamRole } })}>
        <Form.Item name="userId" label={t('teams.member')} rules={required(t('teams.member'))}>
          <Select options={options} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item name="teamRole" label={t('field.teamRole')} rules={required(t('field.teamRole'))}>
          <Select options={roleOptions} />
        </Form.Item>
      </FormDialog>

      <FormDialog<{ endedReason?: string }> open={typeof dialog === 'object' && dialog !== null && 'end' in dialog} onClose={close} onDone={teams.reload} testId="team-end-dialog"
        title={t('teams.end')} submitText={t('teams.end')}
        onSubmit={(v) => api(routes.supportTeamEnd(typeof dialog === 'object' && dialog !== null && 'end' in dialog ? dialog.end : ''), { method: 'POST', body: compact({ endedReason: v.endedReason }) })}>
        <Typography.Paragraph type="secondary">{t('teams.endConfirmHelp')}</Typography.Paragraph>
        <Form.Item name="endedReason" label={t('field.endedReason')}>
          <Input maxLength={200} />
        </Form.Item>
      </FormDialog>
    </Card>
  )
}
