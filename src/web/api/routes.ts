/**
 * Every API route the client calls, in one place (all under /api/v1, all behind the same
 * policies as any other caller). Checked against src/modules/*\/routes.ts.
 */
export const routes = {
  me: '/auth/me',
  students: '/students',
  student: (id: string) => `/students/${id}`,
  guardians: (id: string) => `/students/${id}/guardians`,
  guardian: (id: string) => `/guardians/${id}`,
  studentsImport: '/students/import',
  rosterExport: '/students/export.xlsx',
  rosterTemplateXlsx: '/students/import-template.xlsx',
  rosterTemplateCsv: '/students/import-template.csv',
  archive: (id: string) => `/students/${id}/archive`,
  accessLog: (id: string) => `/students/${id}/access-log`,
  classes: '/classes',
  klass: (id: string) => `/classes/${id}`,
  // 升年级 (school admin)
  rolloverPreview: '/school-year/rollover/preview',
  rollover: '/school-year/rollover',
  rollovers: '/school-year/rollovers',
  rolloverUndo: (id: string) => `/school-year/rollovers/${id}/undo`,

  worklist: '/worklist',
  crisisEvents: '/crisis-events',
  crisisAck: (id: string) => `/crisis-events/${id}/acknowledge`,
  crisisEvent: (id: string) => `/crisis-events/${id}`,
  crisisResolve: (id: string) => `/crisis-events/${id}/resolve`,
  crisisChecklist: (id: string) => `/crisis-events/${id}/checklist`,
  cases: '/cases',
  kase: (id: string) => `/cases/${id}`,
  casePlan: (id: string) => `/cases/${id}/plan`,
  caseSessions: (id: string) => `/cases/${id}/sessions`,
  caseEvents: (id: string) => `/cases/${id}/events`,
  // Writes of the case page (psychology teachers; the policies say which fields).
  studentCases: (id: string) => `/students/${id}/cases`,
  caseTransition: (id: string) => `/cases/${id}/transition`,
  plan: (id: string) => `/plans/${id}`,
  studentPairings: (id: string) => `/students/${id}/pairings`,
  pairingEnd: (id: string) => `/pairings/${id}/end`,
  studentParentContacts: (id: string) => `/students/${id}/parent-contacts`,
  studentReferrals: (id: string) => `/students/${id}/referrals`,
  referralTransitions: (id: string) => `/referrals/${id}/transitions`,
  institutions: '/institutions',
  // (staff accounts for the mentor choice: `users` below, shared with the staff pages)
  instruments: '/screening/instruments',

  alerts: '/peer-alerts',
  alertAck: (id: string) => `/peer-alerts/${id}/acknowledge`,
  pairings: '/pairings',
  mentorContacts: '/mentor-contacts',

  campaigns: '/screening/campaigns',
  campaign: (id: string) => `/screening/campaigns/${id}`,
  campaignCoverage: (id: string) => `/screening/campaigns/${id}/coverage`,
  campaignResponses: (id: string) => `/screening/campaigns/${id}/responses`,
  careList: '/care-list',
  campaignImport: (id: string) => `/screening/campaigns/${id}/import`,
  importJob: (id: string) => `/screening/imports/${id}`,

  talkDuties: '/talks/duties',
  talkLogs: '/talks/logs',
  talkCompliance: '/talks/compliance',

  districtTable: (name: string) => `/district/tables/${name}`,
  districtExport: '/district/export.xlsx',

  // Practices from the inspection reports (issue 10).
  letters: '/letters',
  letter: (id: string) => `/letters/${id}`,
  letterReply: (id: string) => `/letters/${id}/reply`,
  letterAlert: (id: string) => `/letters/${id}/alert`,
  letterCase: (id: string) => `/letters/${id}/case`,
  letterDanger: (id: string) => `/letters/${id}/danger`,
  letterbox: '/letterbox-admin',
  letterboxRotate: '/letterbox-admin/rotate',
  letterboxQr: '/letterbox-admin/qr.svg',
  barometer: '/barometer',
  barometerSettings: '/barometer/settings',
  barometerTrend: (classId: string) => `/barometer/classes/${classId}/trend`,
  roomSettings: '/counselling-room/settings',
  roomVisits: '/counselling-room/visits',
  roomVisit: (id: string) => `/counselling-room/visits/${id}`,
  roomSessions: '/counselling-room/sessions',
  roomSession: (id: string) => `/counselling-room/sessions/${id}`,
  roomSummary: '/counselling-room/summary',
  staffProfiles: '/staff-profiles',
  staffProfile: (id: string) => `/staff-profiles/${id}`,
  users: '/users',
  user: (id: string) => `/users/${id}`,
  userRoles: (id: string) => `/users/${id}/roles`,
  userRole: (id: string) => `/user-roles/${id}`,
  grades: '/grades',
  terms: '/calendar/terms',
  term: (id: string) => `/calendar/terms/${id}`,
  holidays: '/calendar/holidays',
  holiday: (id: string) => `/calendar/holidays/${id}`,
  talkRules: '/talks/rules',
  response: (id: string) => `/screening/responses/${id}`,
  studentCareList: (id: string) => `/students/${id}/care-list`,
  notifications: '/notifications',
  notificationRead: (id: string) => `/notifications/${id}/read`,
  password: '/auth/password',
  mySessions: '/auth/me/sessions',
  mySession: (id: string) => `/auth/me/sessions/${id}`,
  endOtherSessions: '/auth/me/sessions/end-others',
  userPasswordReset: (id: string) => `/users/${id}/password-reset`,
  pairingContacts: (id: string) => `/pairings/${id}/contacts`,
}

/**
 * Routes of parts still being built when the client was written (issue 5's parents and
 * referrals, issue 4's import). The paths follow the resource names; a page whose route the
 * server does not have yet says which route it waits for (ApiProblem → "not available yet").
 */
export const pending = {
  parentContacts: '/parent-contacts',
  referrals: '/referrals',
  referralForm: (id: string) => `/referrals/${id}/form`,
}
