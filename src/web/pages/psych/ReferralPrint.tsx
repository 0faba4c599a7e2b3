import { useRef } from 'react'
import { Button, Space, Spin } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { pending } from '../../api/routes'
import { ApiProblem } from '../../components/common'

/**
 * 转介单: the server renders the form (Chinese, only what the receiving institution needs,
 * audited as an export); the client shows it in a sandboxed frame (no scripts) and prints it.
 */
export default function ReferralPrint() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const frame = useRef<HTMLIFrameElement>(null)
  const form = useApi<string>(pending.referralForm(id))
  if (form.error) return <div className="xa-print"><ApiProblem error={form.error} route={`GET /api/v1${pending.referralForm(':id')}`} /></div>
  if (form.data === undefined) return <div className="xa-loading"><Spin /></div>
  return (
    <div>
      <Space className="xa-no-print" style={{ margin: 16 }}>
        <Button onClick={() => window.history.back()}>{t('common.back')}</Button>
        <Button type="primary" icon={<PrinterOutlined aria-hidden />} onClick={() => frame.current?.contentWindow?.print()}>{t('common.print')}</Button>
      </Space>
      <iframe ref={frame} title={t('referral.formTitle')} sandbox="allow-same-origin allow-modals" srcDoc={form.data}
        data-testid="referral-form" style={{ display: 'block', width: '100%', maxWidth: 860, height: '80vh', margin: '0 auto', border: '1px solid #d9d9d9', background: '#fff' }} />
    </div>
  )
}
