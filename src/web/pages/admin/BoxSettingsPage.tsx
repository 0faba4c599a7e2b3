import { Typography } from 'antd'
import { useI18n } from '../../i18n'
import BoxSettings from '../practices/BoxSettings'

/** The school admin's 解忧树洞 settings: open or close the box, the link and its QR poster — no letters. */
export default function BoxSettingsPage() {
  const { t } = useI18n()
  return (
    <div className="xa-stack">
      <Typography.Title level={1} className="xa-page-title" style={{ fontSize: 22 }}>{t('letters.boxPageTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('letters.boxAdminHelp')}</Typography.Paragraph>
      <BoxSettings />
    </div>
  )
}
