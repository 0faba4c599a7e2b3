import { Button, Space, Spin } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { useParams, useSearchParams } from 'react-router'
import { useI18n } from '../../i18n'
import { asText, formatDate } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { ApiProblem } from '../../components/common'
import type { Row } from '../../components/records'
import { pendingReview, type ConsentRoster } from './ConsentTab'

/** Each student's letter starts a new sheet; the reply slip below the cut line stays with it. */
const PRINT_RULES = `
.xa-consent-letter { page-break-after: always; break-after: page; }
.xa-consent-letter:last-child { page-break-after: auto; break-after: auto; }
.xa-consent-slip { border-top: 1px dashed #000; margin-top: 24px; padding-top: 12px; break-inside: avoid; page-break-inside: avoid; }
.xa-consent-cut { text-align: center; color: #555; font-size: 12px; margin-top: 24px; }
@media print { .xa-consent-letter { margin: 0; } }
`

/**
 * 知情同意书: one letter per student of a class, in the page's language (Chinese by default),
 * naming the campaign, its questionnaires and dates, what is collected and who sees it, with a
 * tear-off reply slip carrying the student's name, class and number. Built from what the
 * psychology teacher reads already (the campaign, its instruments, the class list); the
 * browser prints it (the button or Ctrl+P), a sheet per student.
 */
export default function ConsentLetterPrint() {
  const { id = '' } = useParams()
  const [params] = useSearchParams()
  const classId = params.get('classId') ?? ''
  const { t, locale } = useI18n()
  const campaign = useApi<Row>(routes.campaign(id))
  const instruments = useApi<Page<Row>>(routes.instruments, { limit: 100, includeDefinition: 'true' })
  const roster = useApi<ConsentRoster>(classId ? routes.campaignConsents(id) : null, { classId })
  const error = campaign.error ?? instruments.error ?? roster.error
  if (error) return <div className="xa-print"><ApiProblem error={error} /></div>
  if (!campaign.data || !instruments.data || !roster.data) return <div className="xa-loading"><Spin /></div>
  const c = campaign.data
  const ids = (c.instrumentIds as string[] | undefined) ?? []
  const names = ids.map((iid) => instruments.data!.items.find((i) => i.id === iid)).filter((i): i is Row => !!i)
    .map((i) => `${asText(locale === 'en' ? i.nameEn : i.nameZh, asText(i.code))}${pendingReview(i) ? t('letter.pending') : ''}`)
  const list = names.join(locale === 'en' ? '; ' : '；')
  const className = roster.data.className ?? ''
  return (
    <div className="xa-referral-page">
      <style>{PRINT_RULES}</style>
      <Space className="xa-no-print" style={{ margin: 16 }}>
        <Button onClick={() => window.history.back()}>{t('common.back')}</Button>
        <Button type="primary" icon={<PrinterOutlined aria-hidden />} onClick={() => window.print()}>{t('common.print')}</Button>
        <span data-testid="letter-count">{t('letter.count', { n: roster.data.items.length })}</span>
      </Space>
      {roster.data.items.map((s) => (
        <article key={s.studentId} className="xa-print xa-consent-letter" data-testid="consent-letter">
          <h1>{t('letter.title')}</h1>
          <p>{t('letter.greeting')}</p>
          <p>{t('letter.intro', { name: asText(c.name) })}</p>
          <p>{t('letter.when', { start: formatDate(c.startDate, locale), end: formatDate(c.endDate, locale) })}</p>
          <p>{t('letter.instruments', { list })}</p>
          <p>{t('letter.collected')}</p>
          <p>{t('letter.who')}</p>
          <p>{t('letter.safety')}</p>
          <p>{t('letter.voluntary')}</p>
          <p>{t('letter.reply')}</p>
          <p style={{ textAlign: 'right' }}>{t('letter.school')}</p>
          <div className="xa-consent-cut" aria-hidden>{t('letter.cut')}</div>
          <section className="xa-consent-slip" data-testid="consent-slip">
            <h2 style={{ textAlign: 'center', fontSize: 16 }}>{t('letter.slip')} · {asText(c.name)}</h2>
            <p>{t('letter.slipStudent', { name: s.name ?? '', class: className, no: s.studentNo ?? '' })}</p>
            <p>{t('letter.slipGuardian')}</p>
            <p>{t('letter.slipSign')}</p>
            <p>{t('letter.slipAssent')}</p>
          </section>
        </article>
      ))}
    </div>
  )
}
