import { Typography } from 'antd'
import { Link, useNavigate } from 'react-router'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'

export default function Campaigns() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const campaigns = useApi<Page<Row>>(routes.campaigns, { limit: 100 })
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('campaign.title')}</Typography.Title>
      <Section loaded={campaigns} route={`GET /api/v1${routes.campaigns}`} empty={(p) => p.items.length === 0}>
        {(page) => (
          <RecordTable data-testid="campaign-list" rows={page.items} order={['name', 'schoolYear', 'gradeLevels', 'startDate', 'endDate', 'status']}
            enums={{ status: 'campaignStatus' }}
            render={{ name: (v, r) => <Link to={`/campaigns/${String(r.id)}`}>{String(v ?? '—')}</Link> }}
            onOpen={(r) => navigate(`/campaigns/${String(r.id)}`)}
          />
        )}
      </Section>
    </div>
  )
}
