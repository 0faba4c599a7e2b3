import { Typography } from 'antd'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { RecordTable } from '../../components/records'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'

/** 结对学生: the mentor's active pairings and the guidance addressed to them. */
export default function MentorPage() {
  const { t } = useI18n()
  const pairings = useApi<Page<Row>>(routes.pairings, { limit: 200 })
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('mentor.title')}</Typography.Title>
      <Section loaded={pairings} route={`GET /api/v1${routes.pairings}`} empty={(p) => p.items.length === 0}>
        {(p) => <RecordTable data-testid="pairings" rows={p.items} order={['studentId', 'purpose', 'frequency', 'guidance', 'startDate', 'plannedEndDate']}
          render={{ studentId: (_v, r: Row) => <StudentRef row={r} /> }} />}
      </Section>
    </div>
  )
}
