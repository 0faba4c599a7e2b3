import { Typography } from 'antd'
import { useI18n } from '../../i18n'
import RoomSummary from '../practices/RoomSummary'

/** The school admin's 辅导室工作统计: the summary only (no visit rows reach that role). */
export default function RoomSummaryPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('room.summaryTitle')}</Typography.Title>
      <RoomSummary />
    </div>
  )
}
