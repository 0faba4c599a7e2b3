import { App, AutoComplete, DatePicker, Divider, Form, Input, Radio, Select, Spin, Typography } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import type { MessageKey } from '../../i18n/messages'
import { useApi } from '../../api/hooks'
import { api, type Page } from '../../api/client'
import { routes } from '../../api/routes'
import { ApiProblem } from '../../components/common'
import { asApiError, FormDialog, isoDay, noFuture, useRequired } from '../../components/forms'
import type { Row } from '../../components/records'

/** The server's own rules (src/modules/roster/schemas.ts), checked here first so a refusal names the field before anything is sent. */
const STUDENT_NO = /^[A-Za-z0-9_-]{1,32}$/
const PHONE = /^\+?[0-9][0-9 -]{5,22}[0-9]$/
const RELATIONS = ['father', 'mother', 'grandparent', 'guardian'] as const

export interface StudentValues {
  name: string
  studentNo: string
  nationalId?: string
  gender: 'M' | 'F'
  birthDate?: Dayjs | null
  classId: string
  guardianName?: string
  guardianPhone?: string
  guardianRelation?: string
}

export interface ClassOption { value: string; label: string }

const trimmed = (s: string | undefined) => (s ?? '').trim()

/** The fields of a student and of their main guardian, shared by "add" and "edit". */
function StudentFields({ classes }: { classes: ClassOption[] }) {
  const { t } = useI18n()
  const required = useRequired()
  const form = Form.useFormInstance<StudentValues>()
  return (
    <>
      <Form.Item name="name" label={t('roster.name')} htmlFor="student-name" rules={required(t('roster.name'))}>
        <Input id="student-name" maxLength={50} autoComplete="off" />
      </Form.Item>
      <Form.Item name="studentNo" label={t('roster.studentNo')} htmlFor="student-no" extra={t('roster.studentNoHelp')}
        rules={[...required(t('roster.studentNo')), { pattern: STUDENT_NO, message: t('roster.studentNoInvalid') }]}>
        <Input id="student-no" maxLength={32} autoComplete="off" />
      </Form.Item>
      <Form.Item name="nationalId" label={t('roster.nationalId')} htmlFor="student-national-id" extra={t('roster.nationalIdHelp')}
        rules={[{ pattern: /^[A-Za-z0-9]{6,32}$/, message: t('roster.nationalIdInvalid') }]}>
        <Input id="student-national-id" maxLength={32} autoComplete="off" data-testid="student-national-id" />
      </Form.Item>
      <Form.Item name="gender" label={t('roster.gender')} rules={required(t('roster.gender'))}>
        <Radio.Group aria-label={t('roster.gender')} options={(['M', 'F'] as const).map((g) => ({ value: g, label: t(`gender.${g}`) }))} />
      </Form.Item>
      <Form.Item name="birthDate" label={t('roster.birthDate')} htmlFor="student-birth">
        <DatePicker id="student-birth" disabledDate={noFuture} style={{ width: 200 }} />
      </Form.Item>
      <Form.Item name="classId" label={t('roster.class')} htmlFor="student-class" rules={required(t('roster.class'))}>
        <Select id="student-class" showSearch={{ optionFilterProp: 'label' }} options={classes} />
      </Form.Item>
      <Divider titlePlacement="start" plain style={{ marginTop: 0 }}>{t('roster.guardian')}</Divider>
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t('roster.guardianHelp')}</Typography.Paragraph>
      <Form.Item name="guardianName" label={t('roster.guardianName')} htmlFor="guardian-name" dependencies={['guardianPhone']}
        rules={[{ validator: (_: unknown, v?: string) => (trimmed(form.getFieldValue('guardianPhone') as string) && !trimmed(v) ? Promise.reject(new Error(t('roster.phoneWithoutGuardian'))) : Promise.resolve()) }]}>
        <Input id="guardian-name" maxLength={50} autoComplete="off" />
      </Form.Item>
      <Form.Item name="guardianPhone" label={t('roster.guardianPhone')} htmlFor="guardian-phone"
        rules={[{ pattern: PHONE, message: t('roster.phoneInvalid') }]}>
        <Input id="guardian-phone" maxLength={24} autoComplete="off" inputMode="tel" />
      </Form.Item>
      <Form.Item name="guardianRelation" label={t('roster.guardianRelation')} htmlFor="guardian-relation">
        <AutoComplete id="guardian-relation" maxLength={20}
          options={RELATIONS.map((r) => ({ value: t(`roster.relation.${r}` as MessageKey) }))} />
      </Form.Item>
    </>
  )
}

/** Guardian fields as the API takes them; empty ones left out (the relation defaults on the server). */
function guardianBody(v: StudentValues) {
  const body: { name: string; phone?: string; relation?: string } = { name: trimmed(v.guardianName) }
  if (trimmed(v.guardianPhone)) body.phone = trimmed(v.guardianPhone)
  if (trimmed(v.guardianRelation)) body.relation = trimmed(v.guardianRelation)
  return body
}

/** 新增学生: the student, then their guardian (two requests; the guardian's rules are checked above first). */
export function AddStudentDialog({ open, onClose, onDone, classes }: { open: boolean; onClose: () => void; onDone: () => void; classes: ClassOption[] }) {
  const { t } = useI18n()
  const { modal } = App.useApp()
  return (
    <FormDialog<StudentValues> open={open} onClose={onClose} title={t('roster.add')} testId="add-student" width={600}
      onSubmit={async (v) => {
        const created = await api<Row>(routes.students, {
          method: 'POST',
          body: {
            name: v.name.trim(), studentNo: v.studentNo.trim(), gender: v.gender, classId: v.classId,
            ...(v.birthDate ? { birthDate: isoDay(v.birthDate) } : {}), ...(trimmed(v.nationalId) ? { nationalId: trimmed(v.nationalId) } : {}),
          },
        })
        if (!trimmed(v.guardianName)) return created
        try {
          await api(routes.guardians(String(created.id)), { method: 'POST', body: { ...guardianBody(v), isPrimary: true } })
        } catch (e) {
          // The student exists now: say what was kept and what was not, instead of offering a retry that would meet a taken 学号.
          modal.warning({ title: t('roster.guardianNotSaved', { message: asApiError(e).message }) })
        }
        return created
      }}
      onDone={onDone}>
      <StudentFields classes={classes} />
    </FormDialog>
  )
}

/** 修改: only the changed fields are sent (the API takes a partial update); the main guardian is updated or added. */
export function EditStudentDialog({ student, onClose, onDone, classes }: { student: Row; onClose: () => void; onDone: () => void; classes: ClassOption[] }) {
  const { t } = useI18n()
  const id = String(student.id)
  const guardians = useApi<Page<Row>>(routes.guardians(id))
  if (guardians.error) return <ApiProblem error={guardians.error} />
  if (!guardians.data) return <Spin />
  const list = guardians.data.items
  const main = list.find((g) => g.isPrimary) ?? list[0]
  const initial: StudentValues = {
    name: asText(student.name),
    studentNo: asText(student.studentNo),
    nationalId: asText(student.nationalId),
    gender: student.gender === 'F' ? 'F' : 'M',
    birthDate: typeof student.birthDate === 'string' ? dayjs(student.birthDate) : null,
    classId: asText(student.classId),
    guardianName: main ? asText(main.name) : '',
    guardianPhone: main && typeof main.phone === 'string' ? main.phone : '',
    guardianRelation: main ? asText(main.relation) : '',
  }
  return (
    <FormDialog<StudentValues> open onClose={onClose} title={t('roster.editTitle', { name: initial.name })} testId="edit-student" width={600}
      initialValues={initial}
      onSubmit={async (v) => {
        const next = { name: v.name.trim(), studentNo: v.studentNo.trim(), gender: v.gender, classId: v.classId, birthDate: isoDay(v.birthDate) ?? null, nationalId: trimmed(v.nationalId).toUpperCase() || null }
        const before = {
          name: initial.name, studentNo: initial.studentNo, gender: initial.gender, classId: initial.classId,
          birthDate: typeof student.birthDate === 'string' ? student.birthDate : null, nationalId: typeof student.nationalId === 'string' ? student.nationalId : null,
        }
        const changed = Object.fromEntries(Object.entries(next).filter(([k, val]) => before[k as keyof typeof before] !== val))
        if (Object.keys(changed).length) await api(routes.student(id), { method: 'PATCH', body: changed })
        if (!trimmed(v.guardianName)) return
        const g = guardianBody(v)
        if (!main) {
          await api(routes.guardians(id), { method: 'POST', body: { ...g, isPrimary: true } })
          return
        }
        const patch: Record<string, string | null> = {}
        if (g.name !== main.name) patch.name = g.name
        if ((g.phone ?? null) !== (main.phone ?? null)) patch.phone = g.phone ?? null
        if (g.relation && g.relation !== main.relation) patch.relation = g.relation
        if (Object.keys(patch).length) await api(routes.guardian(String(main.id)), { method: 'PATCH', body: patch })
      }}
      onDone={onDone}>
      <StudentFields classes={classes} />
    </FormDialog>
  )
}
