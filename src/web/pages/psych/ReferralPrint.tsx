import { useEffect, useRef } from 'react'
import { Button, Space, Spin } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { useParams } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import { routes } from '../../api/routes'
import { ApiProblem } from '../../components/common'

/** Rules the printed page adds to the form's own: headings stay with what follows, boxes are not split. */
const PRINT_RULES = `
@media print {
  .sheet { max-width: none; margin: 0; }
  h1, h2 { break-after: avoid; page-break-after: avoid; }
  table, .notice, .meta { break-inside: avoid; page-break-inside: avoid; }
  .cut { break-after: avoid; page-break-after: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`

/**
 * The server's form document placed in a shadow root: its stylesheet applies to it alone, and
 * it is part of this page, so the browser's own print (Ctrl+P) paginates the whole form — a
 * frame would be printed as one clipped box. The document is the server's (every value
 * escaped there); scripts and inline handlers are dropped here as well, and the page's CSP
 * (script-src 'self') would refuse them anyway.
 */
function FormSheet({ html, title }: { html: string; title: string }) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = host.current
    if (!el) return
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' })
    const doc = new DOMParser().parseFromString(html, 'text/html')
    doc.querySelectorAll('script, iframe, object, embed, link').forEach((n) => n.remove())
    doc.querySelectorAll('*').forEach((n) => {
      for (const a of [...n.attributes]) if (/^on/i.test(a.name)) n.removeAttribute(a.name)
    })
    // The form styles `body`; here the sheet stands for it.
    const css = [...doc.querySelectorAll('style')].map((s) => s.textContent ?? '').join('\n')
      .replace(/(^|[\s,}])body(?=[\s,{])/g, '$1.sheet')
    const style = document.createElement('style')
    style.textContent = css + PRINT_RULES
    const sheet = document.createElement('div')
    sheet.className = 'sheet'
    sheet.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)))
    root.replaceChildren(style, sheet)
  }, [html])
  return <div ref={host} className="xa-referral-sheet" role="document" aria-label={title} data-testid="referral-form" />
}

/**
 * 转介单: the server renders the form (Chinese, only what the receiving institution needs,
 * audited as an export); the page shows it as a sheet of paper and prints it — with the
 * button or the browser's own Ctrl+P, which prints the form alone and whole.
 */
export default function ReferralPrint() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const form = useApi<string>(routes.referralForm(id))
  if (form.error) return <div className="xa-print"><ApiProblem error={form.error} /></div>
  if (form.data === undefined) return <div className="xa-loading"><Spin /></div>
  return (
    <div className="xa-referral-page">
      <Space className="xa-no-print" style={{ margin: 16 }}>
        <Button onClick={() => window.history.back()}>{t('common.back')}</Button>
        <Button type="primary" icon={<PrinterOutlined aria-hidden />} onClick={() => window.print()}>{t('common.print')}</Button>
      </Space>
      <FormSheet html={form.data} title={t('referral.formTitle')} />
    </div>
  )
}
