import type { Catalogue } from '../catalogue.js'
import { auditCases } from './audit.js'
import { districtCases } from './district.js'
import { rosterCases } from './roster.js'
import { archiveCases } from './archive.js'
import { talksCases } from './talks.js'
import { practicesCases } from './practices.js'
import { supportCases } from './support.js'
import { screeningCases } from './screening.js'
import { casesCases } from './cases.js'
import { safetyPlanCases } from './safety-plans.js'
import { rolloverCases } from './rollover.js'
import { outboxCases } from './outbox.js'
import { escalationCases } from './escalation.js'
import { rectificationCases } from './rectification.js'
import { lessonsCases } from './lessons.js'
import { inspectionRecordsCases } from './inspection-records.js'
import { selfCheckCases } from './self-check.js'
import { complianceCases } from './compliance.js'
import { secondFactorCases } from './second-factor.js'
import { transferCases } from './transfers.js'

/** Every module's matrix entries; a module that registers routes adds its catalogue here. */
export const catalogue: Catalogue = {
  ...auditCases,
  ...districtCases,
  ...rosterCases,
  ...archiveCases,
  ...talksCases,
  ...practicesCases,
  ...supportCases,
  ...screeningCases,
  ...casesCases,
  ...safetyPlanCases,
  ...rolloverCases,
  ...outboxCases,
  ...escalationCases,
  ...rectificationCases,
  ...lessonsCases,
  ...inspectionRecordsCases,
  ...selfCheckCases,
  ...complianceCases,
  ...secondFactorCases,
  ...transferCases,
}
