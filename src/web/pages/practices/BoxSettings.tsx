import { useEffect, useState } from 'react'
import { App, Button, Card, Form, Input, Space, Switch, Tag, Typography } from 'antd'
import { CheckCircleOutlined, DownloadOutlined, LockOutlined, PrinterOutlined, SyncOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import { api, send } from '../../api/client'
import { routes } from '../../api/routes'
import { formatDateTime, Section } from '../../components/common'
import type { Row } from '../../components/records'
import { useFailure, WriteError } from './shared'

interface Values { open: boolean; closedMessage?: string }

/**
 * The QR poster, fetched with the user's token (the route is not public) and shown from a
 * blob URL; the same blob is what "download" saves.
 */
function QrPoster({ version }: { version: string }) {
  const { t } = useI18n()
  const [src, setSrc] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let url: string | null = null
    let live = true
    setError(null)
    send(routes.letterboxQr)
      .then((res) => res.blob())
      .then((blob) => {
        if (!live) return
        url = URL.createObjectURL(new Blob([blob], { type: 'image/svg+xml' }))
        setSrc(url)
      })
      .catch((e: unknown) => { if (live) setError(e) })
    return () => {
      live = false
      if (url) URL.revokeObjectURL(url)
    }
  }, [version])

  function print() {
    // Only the poster is printed: the print stylesheet hides everything else while this class is set.
    document.body.classList.add('xa-printing-qr')
    const done = () => { document.body.classList.remove('xa-printing-qr'); window.removeEventListener('afterprint', done) }
    window.addEventListener('afterprint', done)
    window.print()
  }

  if (error) return <WriteError error={error} />
  return (
    <div className="xa-stack">
      <div className="xa-qr-poster">
        {src
          ? <img src={src} alt={t('letters.qrAlt')} data-testid="qr-poster" style={{ maxWidth: 360, width: '100%', border: '1px solid #f0f0f0' }} />
          : <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>}
      </div>
      <Space wrap className="xa-no-print">
        <Button icon={<PrinterOutlined aria-hidden />} onClick={print} disabled={!src}>{t('common.print')}</Button>
        <Button icon={<DownloadOutlined aria-hidden />} href={src ?? undefined} download="letterbox-qr.svg" disabled={!src} data-testid="qr-download">{t('letters.qrDownload')}</Button>
      </Space>
    </div>
  )
}

/** 信箱设置: open or close the box, the message shown when closed, a new link, the QR poster. */
export default function BoxSettings() {
  const { t, locale } = useI18n()
  const { message, modal } = App.useApp()
  const fail = useFailure()
  const box = useApi<Row>(routes.letterbox)
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (box.data) form.setFieldsValue({ open: box.data.open === true, closedMessage: typeof box.data.closedMessage === 'string' ? box.data.closedMessage : '' })
  }, [box.data, form])

  async function save(v: Values) {
    setBusy(true)
    setError(null)
    try {
      await api(routes.letterbox, { method: 'PATCH', body: { open: v.open, closedMessage: v.closedMessage?.trim() ? v.closedMessage.trim() : null } })
      message.success(t('common.saved'))
      box.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  function rotate() {
    modal.confirm({
      title: t('letters.rotateTitle'),
      content: t('letters.rotateConfirm'),
      okText: t('letters.rotate'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await api(routes.letterboxRotate, { method: 'POST', body: {} })
          message.success(t('letters.rotated'))
          box.reload()
        } catch (e) {
          fail(e)
        }
      },
    })
  }

  return (
    <Section loaded={box}>
      {(b) => {
        const url = typeof b.path === 'string' ? `${window.location.origin}${b.path}` : null
        return (
          <div className="xa-grid" data-testid="box-settings">
            <Card title={<h2 className="xa-card-title">{t('letters.boxTitle')}</h2>}>
              <div className="xa-stack">
                <div>
                  {b.open === true
                    ? <Tag color="green" icon={<CheckCircleOutlined aria-hidden />} data-testid="box-state">{t('letters.boxOpen')}</Tag>
                    : <Tag color="default" icon={<LockOutlined aria-hidden />} data-testid="box-state">{t('letters.boxClosed')}</Tag>}
                  {b.updatedAt ? <Typography.Text type="secondary">{t('letters.updatedAt', { at: formatDateTime(b.updatedAt, locale) })}</Typography.Text> : null}
                </div>
                {url && (
                  <div>
                    <Typography.Text strong>{t('letters.publicLink')}：</Typography.Text>
                    <Typography.Link href={url} target="_blank" rel="noreferrer" copyable={{ text: url }} data-testid="box-link">{url}</Typography.Link>
                  </div>
                )}
                <WriteError error={error} />
                <Form<Values> form={form} layout="vertical" onFinish={(v) => void save(v)} disabled={busy} data-testid="box-form">
                  <Form.Item name="open" label={t('letters.boxOpenLabel')} valuePropName="checked">
                    <Switch checkedChildren={t('letters.boxOpen')} unCheckedChildren={t('letters.boxClosed')} />
                  </Form.Item>
                  <Form.Item name="closedMessage" label={t('letters.closedMessage')} extra={t('letters.closedMessageHelp')}>
                    <Input.TextArea rows={2} maxLength={200} showCount />
                  </Form.Item>
                  <Space wrap>
                    <Button type="primary" htmlType="submit" loading={busy}>{t('common.save')}</Button>
                    <Button danger icon={<SyncOutlined aria-hidden />} onClick={rotate} data-testid="rotate">{t('letters.rotate')}</Button>
                  </Space>
                </Form>
              </div>
            </Card>
            <Card title={<h2 className="xa-card-title">{t('letters.qrTitle')}</h2>}>
              <Typography.Paragraph type="secondary">{t('letters.qrHelp')}</Typography.Paragraph>
              <QrPoster version={asText(b.slug)} />
            </Card>
          </div>
        )
      }}
    </Section>
  )
}
