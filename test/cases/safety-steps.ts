import type { LightMyRequestResponse } from 'fastify'

/** Answers of a pupil with passing thoughts and no plan, intent, means or past attempt. */
export const CALM_ANSWERS = {
  thoughtsFrequency: 'occasionally', thoughtsLast: 'pastMonth', hasPlan: false, hasIntent: false, meansAccess: false, pastAttempt: false,
  protectiveFactors: ['trustedAdult', 'familySupport'],
}

type Call = (method: 'POST' | 'GET', url: string, payload?: unknown) => Promise<LightMyRequestResponse>

/**
 * What a crisis event needs, beyond its checklist, before it can be resolved: the brief suicide
 * safety assessment (here a safety plan with a follow-up in a week) and a record that the
 * homeroom teacher and a guardian were told. Throws with the answer when a step is refused.
 */
export async function recordSafetySteps(call: Call, crisisId: string, followUpOn: string): Promise<void> {
  const steps: Array<[string, unknown]> = [
    [`/api/v1/crisis-events/${crisisId}/assessment`, { answers: CALM_ANSWERS, disposition: 'safety_plan', followUpOn }],
    [`/api/v1/crisis-events/${crisisId}/disclosures`, { role: 'homeroom_teacher', channel: 'in_person' }],
    [`/api/v1/crisis-events/${crisisId}/disclosures`, { role: 'guardian', channel: 'phone' }],
  ]
  for (const [url, body] of steps) {
    const res = await call('POST', url, body)
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  }
}
