import type { Gateway } from '../../access/gateway.js'
import { createAlertService } from './alert-service.js'
import { createWatchService } from './alert-watch-service.js'
import { createMentorContactService, createPairingService } from './pairing-service.js'
import { createActivityService } from './parent-activity-service.js'
import { createParentContactService } from './parent-contact-service.js'
import { createReferralFormService } from './referral-form.js'
import { createInstitutionService } from './referral-institution-service.js'
import { createReferralService } from './referral-service.js'
import { createTeamService } from './team-service.js'

/** 师生结对 (and 多帮一 teams), 同伴跟防, 家校协同, 及时转介. */
export function createSupportServices(gw: Gateway) {
  return {
    pairings: createPairingService(gw),
    mentorContacts: createMentorContactService(gw),
    teams: createTeamService(gw),
    alerts: createAlertService(gw),
    watch: createWatchService(gw),
    parentContacts: createParentContactService(gw),
    activities: createActivityService(gw),
    institutions: createInstitutionService(gw),
    referrals: createReferralService(gw),
    referralForms: createReferralFormService(gw),
  }
}
