import { useState, type ComponentType, type MouseEvent, type ReactNode } from 'react'
import { Alert, App, Button, Form, Modal, Popconfirm as AntPopconfirm, Space, type FormInstance, type PopconfirmProps } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useI18n } from '../i18n'
import { ApiError } from '../api/client'

/** A calendar date as the API takes it (YYYY-MM-DD), or nothing. */
export const isoDay = (d: Dayjs | null | undefined): string | undefined => (d ? d.format('YYYY-MM-DD') : undefined)

/** For date pickers: no date after today (a record of what happened) / none before today (a date to come). */
export const noFuture = (d: Dayjs) => d.isAfter(dayjs(), 'day')
export const noPast = (d: Dayjs) => d.isBefore(dayjs(), 'day')

/** Drops empty optional values so a strict request schema sees only what the user filled in. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, raw] of Object.entries(o)) {
    const v = typeof raw === 'string' ? raw.trim() : raw
    if (v !== undefined && v !== null && v !== '') (out as Record<string, unknown>)[k] = v
  }
  return out
}

/**
 * Any thrown value as an ApiError (a network failure becomes one with code `network`).
 *
 * The client's click and submit handlers are async functions that catch their own failures and
 * show them (WriteError, a message), so they never reject: an event prop that expects nothing
 * back calls them as `void handler()`.
 */
export const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'network', String(e)))

/**
 * antd's Popconfirm typed as it behaves: when onConfirm returns a promise, the OK button spins
 * and the bubble stays open until the promise settles (antd's own type says onConfirm returns void).
 */
export const Popconfirm: ComponentType<Omit<PopconfirmProps, 'onConfirm'> & {
  onConfirm?: (e?: MouseEvent<HTMLElement>) => void | Promise<unknown>
}> = AntPopconfirm

/**
 * A refused write in the API's own words, with its code (and the request id to quote to the
 * administrator), kept on screen next to the form instead of a toast that disappears.
 */
export function WriteError({ error }: { error: ApiError }) {
  const { t } = useI18n()
  return (
    <Alert type="error" showIcon role="alert" data-testid="write-error" data-code={error.code}
      title={error.message}
      // The code stays in data-code for support; people read the message and the id to quote.
      description={error.requestId ? t('form.requestId', { id: error.requestId }) : undefined}
    />
  )
}

/**
 * A write as a dialog: a labelled form (Enter submits, Esc closes), the API's refusal shown
 * in the dialog, and on success a short confirmation and `onDone` (the caller reloads the
 * section the write changed). The form is rebuilt each time the dialog opens.
 */
export function FormDialog<V extends object>({ open, title, onClose, onSubmit, onDone, children, initialValues, testId, submitText, width }: {
  open: boolean
  title: ReactNode
  onClose: () => void
  /** Sends the write; throws the ApiError the server answered. */
  onSubmit: (values: V, form: FormInstance<V>) => Promise<unknown>
  onDone?: (result: unknown) => void
  children: ReactNode
  initialValues?: Partial<V>
  testId?: string
  submitText?: string
  width?: number
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<V>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  async function finish(values: V) {
    setBusy(true)
    setError(null)
    try {
      const result = await onSubmit(values, form)
      message.success(t('common.saved'))
      onClose()
      onDone?.(result)
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open={open} title={title} onCancel={() => { if (!busy) { setError(null); onClose() } }} footer={null} destroyOnHidden width={width ?? 560}
      maskClosable={false}>
      <Form<V> form={form} name={testId} layout="vertical" onFinish={(v) => void finish(v)} initialValues={initialValues} disabled={busy} data-testid={testId ? `${testId}-form` : undefined}>
        {children}
        {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={() => { setError(null); onClose() }} disabled={busy}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={busy}>{submitText ?? t('common.save')}</Button>
        </Space>
      </Form>
    </Modal>
  )
}

/** A button that opens one FormDialog; `render` gets the open flag and the closer. */
export function DialogButton({ label, icon, disabled, type, testId, children }: {
  label: string
  icon?: ReactNode
  disabled?: boolean
  type?: 'primary' | 'default' | 'link'
  testId?: string
  children: (open: boolean, close: () => void) => ReactNode
}) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button size="small" type={type ?? 'default'} icon={icon} disabled={disabled} onClick={() => setOpen(true)} data-testid={testId}>{label}</Button>
      {children(open, () => setOpen(false))}
    </>
  )
}

/** The rule "required" with the field named in the message. */
export function useRequired() {
  const { t } = useI18n()
  return (field: string) => [{ required: true, message: t('login.required', { field }) }]
}
