import { Form, Input } from 'antd'
import { api, setSession, type TokenPair } from '../api/client'
import { routes } from '../api/routes'
import { FormDialog, useRequired } from '../components/forms'
import { useI18n } from '../i18n'

interface Values { currentPassword: string; newPassword: string; repeat: string }

/**
 * 修改密码 for every role. The server ends every login of the account, this one included,
 * and answers with a fresh pair, which becomes this tab's session.
 */
export default function PasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const required = useRequired()
  return (
    <FormDialog<Values> open={open} onClose={onClose} title={t('password.title')} testId="password"
      onSubmit={async (v) => {
        const pair = await api<TokenPair>(routes.password, { method: 'POST', body: { currentPassword: v.currentPassword, newPassword: v.newPassword } })
        setSession(pair)
        return pair
      }}>
      <Form.Item name="currentPassword" label={t('password.current')} rules={required(t('password.current'))}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="newPassword" label={t('password.new')} rules={required(t('password.new'))}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="repeat" label={t('password.repeat')} dependencies={['newPassword']}
        rules={[...required(t('password.repeat')), ({ getFieldValue }) => ({
          validator: (_: unknown, v: string) => (!v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
        })]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </FormDialog>
  )
}
