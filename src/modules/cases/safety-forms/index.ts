import { SafetyFormDefinition, safetyFormProblems } from '../safety-form.js'
import { ASQ_BSSA } from './asq-bssa.js'

function sound(input: unknown): SafetyFormDefinition {
  const def = SafetyFormDefinition.parse(input)
  const problems = safetyFormProblems(def)
  if (problems.length) throw new Error(`safety form ${def.code} v${def.version}: ${problems.join('; ')}`)
  return def
}

/** The form a new assessment uses. Earlier versions stay here so old answers still read against their wording. */
export const SAFETY_FORMS: readonly SafetyFormDefinition[] = [sound(ASQ_BSSA)]
export const CURRENT_SAFETY_FORM: SafetyFormDefinition = SAFETY_FORMS[SAFETY_FORMS.length - 1]!

export function safetyFormOf(code: string, version: number): SafetyFormDefinition | undefined {
  return SAFETY_FORMS.find((f) => f.code === code && f.version === version)
}
