import { useEffect, useRef, useState } from 'react'
import { Alert, Button, Form, Input, Modal, Typography } from 'antd'
import { useI18n } from '../i18n'
import { api, currentUser, onStepUpNeeded, type ApiError } from '../api/client'
import { routes } from '../api/routes'
import { asApiError, WriteError } from '../components/forms'

interface Values { code?: string; recoveryCode?: string; password?: string }

/**
 * The step-up dialog: opened by the API client when an action answers step_up_required (an
 * export, who accessed a student, a closed case). It asks for the code from the app (or a
 * recovery code), or the password for an account without a second factor; on success the
 * waiting requests are sent again, so the export simply goes on.
 */
export default function StepUpDialog() {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [useRecovery, setUseRecovery] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const settle = useRef<((ok: boolean) => void) | null>(null)
  const withCode = !!currentUser()?.secondFactorEnabled

  useEffect(() => onStepUpNeeded(() => new Promise<boolean>((resolve) => {
    settle.current = resolve
    setError(null)
    setUseRecovery(false)
    setOpen(true) // the form is made afresh each time (destroyOnHidden)
  })), [])

  function finish(ok: boolean) {
    setOpen(false)
    settle.current?.(ok)
    settle.current = null
  }

  async function submit(v: Values) {
    setBusy(true)
    setError(null)
    try {
      const body = !withCode ? { password: v.password ?? '' }
        : useRecovery ? { recoveryCode: (v.recoveryCode ?? '').trim() } : { code: (v.code ?? '').replace(/\s+/g, '') }
      await api(routes.stepUp, { method: 'POST', body })
      finish(true)
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open={open} title={t('tfa.stepUpTitle')} onCancel={() => finish(false)} footer={null} destroyOnHidden maskClosable={false} width={420}>
      <Alert type="info" showIcon title={t('tfa.stepUpHelp')} style={{ marginBottom: 16 }} />
      <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy} data-testid="step-up-form">
        <Typography.Paragraph>{t(!withCode ? 'tfa.stepUpPassword' : useRecovery ? 'tfa.loginRecoveryHelp' : 'tfa.stepUpCode')}</Typography.Paragraph>
        {!withCode && (
          <Form.Item name="password" label={t('tfa.password')} rules={[{ required: true, message: t('login.required', { field: t('tfa.password') }) }]}>
            <Input.Password autoComplete="current-password" autoFocus />
          </Form.Item>
        )}
        {withCode && !useRecovery && (
          <Form.Item name="code" label={t('tfa.code')} rules={[{ required: true, pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: t('tfa.codeInvalid') }]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={7} autoFocus placeholder={t('tfa.codePlaceholder')} />
          </Form.Item>
        )}
        {withCode && useRecovery && (
          <Form.Item name="recoveryCode" label={t('tfa.recoveryCode')} rules={[{ required: true, message: t('login.required', { field: t('tfa.recoveryCode') }) }]}>
            <Input autoComplete="off" autoFocus />
          </Form.Item>
        )}
        {error && <div style={{ marginBottom: 16 }}><WriteError error={error} /></div>}
        <Button type="primary" htmlType="submit" block loading={busy}>{t('tfa.stepUpSubmit')}</Button>
        {withCode && <Button type="link" block onClick={() => { setUseRecovery((r) => !r); setError(null) }}>{t(useRecovery ? 'tfa.useCode' : 'tfa.useRecovery')}</Button>}
      </Form>
    </Modal>
  )
}
