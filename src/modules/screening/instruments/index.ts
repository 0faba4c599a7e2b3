import { InstrumentDefinition } from '../instrument-schema.js'
import { ASQ } from './asq.js'
import { GAD7 } from './gad-7.js'
import { PHQ9 } from './phq-9.js'
import { PHQA } from './phq-a.js'

/**
 * Instruments shipped with XinAn, with fixed ids so every database (embedded or server, demo
 * or production) names them the same. Only permission-free scales are shipped: SDQ, MHT and
 * SCL-90 are copyrighted (ASQ is NIMH's, in the public domain) and a school that holds a licence adds them as its own definition.
 * A change of wording or scoring ships as a new version with a new id, never an edit.
 */
export const BUILT_IN_INSTRUMENTS = [
  { id: '5c4e0000-0000-4000-8000-000000000109', definition: InstrumentDefinition.parse(PHQ9) },
  { id: '5c4e0000-0000-4000-8000-00000000010a', definition: InstrumentDefinition.parse(PHQA) },
  { id: '5c4e0000-0000-4000-8000-000000000207', definition: InstrumentDefinition.parse(GAD7) },
  { id: '5c4e0000-0000-4000-8000-000000000a50', definition: InstrumentDefinition.parse(ASQ) },
] as const

export const BUILT_IN_CODES: readonly string[] = BUILT_IN_INSTRUMENTS.map((i) => i.definition.code)

export function builtInByCode(code: string) {
  return BUILT_IN_INSTRUMENTS.find((i) => i.definition.code === code)
}
