import { and, eq } from 'drizzle-orm'
import { cases } from '../../../db/schema/index.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'

/**
 * A case named in a support record must be this pupil's case in this school. Checked with a
 * plain query (row-level security keeps it in the school); the case itself is not read out.
 */
export async function assertCaseOfStudent(tx: Tx, schoolId: string, studentId: string, caseId: string | undefined | null): Promise<void> {
  if (!caseId) return
  const rows = await tx.select({ id: cases.id }).from(cases)
    .where(and(eq(cases.schoolId, schoolId), eq(cases.id, caseId), eq(cases.studentId, studentId))).limit(1)
  if (rows.length === 0) throw new Validation('unknown_reference', { field: 'caseId' }, { fields: ['caseId'] })
}
