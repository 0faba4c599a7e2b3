import { Card, Space, Typography } from 'antd'
import { useI18n } from '../../i18n'
import { useApi } from '../../api/hooks'
import type { Page } from '../../api/client'
import { routes } from '../../api/routes'
import type { Row } from '../../components/records'
import { StudentRef } from '../../components/StudentRef'
import { PlanSteps } from '../psych/SafetyPlanSection'

/**
 * 安全计划, the mentor's part: what the student can do alone, the people and places that
 * distract, and the reasons for living — the steps a mentor can encourage. The API answers
 * only these fields, and only for pupils paired with the mentor now.
 */
export default function MentorSafetyPlans() {
  const { t } = useI18n()
  const plans = useApi<Page<Row>>(routes.safetyPlans, { status: 'active', limit: 100 })
  // A caller who reads no plans (403) simply has none to see here.
  if (plans.error || !plans.data) return null
  return (
    <div data-testid="mentor-safety-plans">
      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('sp.mentorTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('sp.mentorHelp')}</Typography.Paragraph>
      {plans.data.items.length === 0
        ? <Typography.Text type="secondary">{t('sp.mentorNone')}</Typography.Text>
        : (
          <Space direction="vertical" style={{ width: '100%' }}>
            {plans.data.items.map((p) => (
              <Card key={String(p.id)} size="small" title={<StudentRef row={p} />}>
                {p.current && typeof p.current === 'object'
                  ? <PlanSteps version={p.current as Row} only={['copingStrategies', 'socialDistractions', 'reasonsForLiving']} />
                  : null}
              </Card>
            ))}
          </Space>
        )}
    </div>
  )
}
