import { Steps } from 'antd'
import { useI18n } from '../i18n'

const SIX_STEPS = ['screening', 'pairing', 'intervention', 'peer', 'parents', 'referral'] as const

/**
 * 测评建档 → 师生结对 → 积极干预 → 同伴跟防 → 家校协同 → 及时转介 as a progress line: a step
 * with records in the archive is done. The count is written out, so the state never rests on
 * the icon's colour alone.
 */
export function SixSteps({ counts }: { counts: Record<string, number> }) {
  const { t } = useI18n()
  return (
    <nav aria-label={t('step.progress')}>
      <Steps
        size="small"
        data-testid="six-steps"
        items={SIX_STEPS.map((s) => {
          const n = counts[s] ?? 0
          return {
            title: t(`step.${s}`),
            status: n > 0 ? 'finish' : 'wait',
            content: <span data-step={s} data-count={n}>{n > 0 ? t('step.count', { n }) : t('step.none')}</span>,
          }
        })}
      />
    </nav>
  )
}
