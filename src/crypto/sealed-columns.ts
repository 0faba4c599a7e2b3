import '../../db/schema/index.js'
import { sealedColumnRegistry, type SealedColumn } from './sealed.js'

/**
 * The columns encrypted at rest (AES-256-GCM under the school's data key), as the schema
 * declares them: for the compliance report and the key commands. Complete once the schema is
 * loaded, which this module does.
 */
export const sealedColumns: readonly SealedColumn[] = sealedColumnRegistry
export type { SealedColumn }
