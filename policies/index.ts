import type { ResourcePolicy } from '../src/access/define.js'
import students from './students.js'
import guardians from './guardians.js'
import classes from './classes.js'
import grades from './grades.js'
import { holidaysPolicy, termsPolicy } from './calendar.js'
import { userRolesPolicy, usersPolicy } from './users.js'
import auditLog from './audit-log.js'
import { mentorContactsPolicy, pairingsPolicy } from './pairings.js'
import peerAlerts from './peer-alerts.js'
import { peerWatchNotesPolicy, peerWatchRequestsPolicy } from './peer-watch.js'
import parentContacts from './parent-contacts.js'
import homeSchoolActivities from './home-school-activities.js'
import institutions from './institutions.js'
import { referralEventsPolicy, referralsPolicy } from './referrals.js'
import talkRules from './talk-rules.js'
import talkDuties from './talk-duties.js'
import talkLogs from './talk-logs.js'
import notifications from './notifications.js'
import instrumentsPolicy from './instruments.js'
import screeningCampaignsPolicy from './screening-campaigns.js'
import screeningResponsesPolicy from './screening-responses.js'
import careListPolicy from './care-list.js'
import screeningConsentsPolicy from './screening-consents.js'
import casesPolicy from './cases.js'
import caseEventsPolicy from './case-events.js'
import interventionPlansPolicy from './intervention-plans.js'
import counsellingSessionsPolicy from './counselling-sessions.js'
import crisisEventsPolicy from './crisis-events.js'
import crisisChecklistPolicy from './crisis-checklist.js'
import { safetyPlansPolicy, safetyPlanVersionsPolicy } from './safety-plans.js'
import safetyPlanReviewsPolicy from './safety-plan-reviews.js'
import safetyAssessmentsPolicy from './safety-assessments.js'
import crisisDisclosuresPolicy from './crisis-disclosures.js'
import safetyFormWordingsPolicy from './safety-form-wordings.js'
import districtStats from './district-stats.js'
import letterBoxesPolicy from './letter-boxes.js'
import lettersPolicy from './letters.js'
import barometerSettingsPolicy from './barometer-settings.js'
import barometerEntriesPolicy from './barometer-entries.js'
import roomSettingsPolicy from './room-settings.js'
import roomVisitsPolicy from './room-visits.js'
import groupSessionsPolicy from './group-sessions.js'
import staffProfilesPolicy from './staff-profiles.js'
import inspectionDocumentsPolicy from './inspection-documents.js'
import leadershipMembersPolicy from './leadership-members.js'
import leadershipMeetingsPolicy from './leadership-meetings.js'
import yearlyPlansPolicy from './yearly-plans.js'
import staffTrainingsPolicy from './staff-trainings.js'
import emergencyPlansPolicy from './emergency-plans.js'
import emergencyDrillsPolicy from './emergency-drills.js'
import schoolYearRollovers from './school-year-rollovers.js'
import schoolProfile from './school-profile.js'
import schoolChannelsPolicy from './school-channels.js'
import userChannelsPolicy from './user-channels.js'
import escalationChainsPolicy from './escalation-chains.js'
import onCallShiftsPolicy from './on-call-shifts.js'
import schoolHoursPolicy from './school-hours.js'
import selfChecksPolicy from './self-checks.js'
import inspectionVisitsPolicy from './inspection-visits.js'
import rectificationItemsPolicy from './rectification-items.js'
import rectificationNotesPolicy from './rectification-notes.js'
import rectificationChecksPolicy from './rectification-checks.js'
import lessonRecordsPolicy from './lesson-records.js'
import schoolActivitiesPolicy from './school-activities.js'
import supportTeamsPolicy from './support-teams.js'
import { receivedTransfersPolicy, studentTransfersPolicy } from './student-transfers.js'

/** Every resource a route may name. A resource not here does not exist for anyone. */
export const policies: ResourcePolicy[] = [
  students, guardians, classes, grades, termsPolicy, holidaysPolicy, usersPolicy, userRolesPolicy, auditLog,
  pairingsPolicy, mentorContactsPolicy, peerAlerts, peerWatchRequestsPolicy, peerWatchNotesPolicy, parentContacts, homeSchoolActivities, institutions, referralsPolicy, referralEventsPolicy,
  talkRules, talkDuties, talkLogs, notifications, schoolChannelsPolicy, userChannelsPolicy,
  instrumentsPolicy, screeningCampaignsPolicy, screeningResponsesPolicy, screeningConsentsPolicy, careListPolicy, casesPolicy, caseEventsPolicy, interventionPlansPolicy, counsellingSessionsPolicy, crisisEventsPolicy, crisisChecklistPolicy,
  safetyAssessmentsPolicy, crisisDisclosuresPolicy, safetyFormWordingsPolicy,
  safetyPlansPolicy, safetyPlanVersionsPolicy, safetyPlanReviewsPolicy,
  districtStats,
  letterBoxesPolicy, lettersPolicy, barometerSettingsPolicy, barometerEntriesPolicy, roomSettingsPolicy, roomVisitsPolicy, groupSessionsPolicy, staffProfilesPolicy,
  inspectionDocumentsPolicy, leadershipMembersPolicy, leadershipMeetingsPolicy, yearlyPlansPolicy, staffTrainingsPolicy, emergencyPlansPolicy, emergencyDrillsPolicy,
  schoolYearRollovers,
  escalationChainsPolicy, onCallShiftsPolicy, schoolHoursPolicy,
  inspectionVisitsPolicy, rectificationItemsPolicy, rectificationNotesPolicy, rectificationChecksPolicy,
  lessonRecordsPolicy, schoolActivitiesPolicy, supportTeamsPolicy,
  selfChecksPolicy,
  studentTransfersPolicy, receivedTransfersPolicy,
  // After district_stats (the same table): the leak scan's canaries on schools carry the last policy's name.
  schoolProfile,
]
