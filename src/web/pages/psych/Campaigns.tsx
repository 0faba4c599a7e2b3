import { useState } from 'react'
import { Button, Space, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link, useNavigate } from 'react-router'
import { useI18n } from '../../i18n'
import { asText } from '../../i18n/format'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import { Section } from '../../components/common'
import { RecordTable, type Row } from '../../components/records'
import { CampaignDialog } from './CampaignForm'

export default function Campaigns() {
  const { t } = useI18n()
  const navigate = useNavigate()
  const campaigns = useApi<Page<Row>>(routes.campaigns, { limit: 100 })
  const [creating, setCreating] = useState(false)
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('campaign.title')}</Typography.Title>
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)} data-testid="new-campaign">{t('campaignForm.new')}</Button>
      </Space>
      <CampaignDialog open={creating} onClose={() => setCreating(false)} onDone={campaigns.reload} />
      <Section loaded={campaigns} empty={(p) => p.items.length === 0}>
        {(page) => (
          <RecordTable data-testid="campaign-list" rows={page.items} order={['name', 'schoolYear', 'gradeLevels', 'startDate', 'endDate', 'status']}
            enums={{ status: 'campaignStatus' }} titles={{ name: t('campaign.nameColumn') }}
            render={{ name: (v, r) => <Link to={`/campaigns/${String(r.id)}`}>{asText(v, '—')}</Link> }}
            onOpen={(r) => { void navigate(`/campaigns/${String(r.id)}`) }}
          />
        )}
      </Section>
    </div>
  )
}
