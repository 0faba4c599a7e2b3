import type { Row } from '../../access/gateway.js'
import { withRiskText } from '../screening/risk-levels.js'
import { CASE_STATE_TEXT, CaseStates, type CaseState } from './states.js'

/** Derived texts beside fields the caller already reads: they add nothing the projection hid. */
export function presentCase(row: Row): Row {
  const out = withRiskText(row, ['riskLevel'])
  if (typeof row.state === 'string' && (CaseStates as readonly string[]).includes(row.state)) out.stateText = CASE_STATE_TEXT[row.state as CaseState]
  return out
}

export const presentEvent = (row: Row): Row => withRiskText(row, ['riskFrom', 'riskTo'])
export const presentSession = (row: Row): Row => withRiskText(row, ['reassessedRisk'])

export function presentCrisis(row: Row, now = new Date()): Row {
  const out: Row = { ...row }
  if ('status' in row && row.ackDeadline instanceof Date) out.overdue = row.status === 'open' && row.ackDeadline.getTime() < now.getTime()
  return out
}
