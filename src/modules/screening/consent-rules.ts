/**
 * 知情同意 as a rule of entry: answers are taken from a student only when their guardian gave
 * consent and they did not refuse themselves (a student not asked may still be screened: the
 * guardian's consent is what the campaign needs; a student's own "no" is respected). One
 * function, so entry, import and the coverage counts (repository.ts CONSENT_OK) agree.
 */

export const GuardianConsents = ['given', 'refused', 'not_returned'] as const
export type GuardianConsent = (typeof GuardianConsents)[number]
export const StudentAssents = ['given', 'refused', 'not_asked'] as const
export type StudentAssent = (typeof StudentAssents)[number]

export type ConsentBlock = 'consent_refused' | 'consent_not_returned' | 'assent_refused'

/** Why answers may not be taken, or null when they may. No row: the slip has not come back. */
export function consentBlock(state: { guardian: string; assent: string } | undefined): ConsentBlock | null {
  if (!state || state.guardian === 'not_returned') return 'consent_not_returned'
  if (state.guardian !== 'given') return 'consent_refused'
  if (state.assent === 'refused') return 'assent_refused'
  return null
}
