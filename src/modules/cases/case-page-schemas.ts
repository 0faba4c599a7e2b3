import { z } from 'zod'
import { PairingItem } from '../support/pairing-schemas.js'
import { ParentContactItem } from '../support/parent-contact-schemas.js'
import { ReferralItem } from '../support/referral-schemas.js'
import { CaseEventItem, CaseItem, CrisisItem, PlanItem, SessionItem } from './schemas.js'

const part = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() })

/**
 * 个案页: each part as its own route answers it (same item schema, same projection). A part
 * the caller may not read is absent; `plan` is null when the case has none yet.
 */
export const CasePage = z.object({
  case: CaseItem,
  plan: PlanItem.nullable().optional(),
  sessions: part(SessionItem).optional(),
  events: part(CaseEventItem).optional(),
  crisisEvents: part(CrisisItem).optional(),
  pairings: part(PairingItem).optional(),
  parentContacts: part(ParentContactItem).optional(),
  referrals: part(ReferralItem).optional(),
  /** Labels for the user and institution ids of the rows above, as far as the caller reads them. */
  names: z.object({ users: z.record(z.string(), z.string()), institutions: z.record(z.string(), z.string()) }),
})
