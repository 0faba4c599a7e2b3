/** npm run audit:verify — recomputes the audit hash chain and reports OK or the first broken row. */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { verifyAuditChain } from '../src/audit/audit.js'

const config = loadConfig()
const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  const r = await verifyAuditChain(database.db)
  if (r.ok) console.log(`audit chain OK: ${r.total} rows`)
  else console.log(`audit chain BROKEN at seq ${r.firstBrokenSeq} (${r.total} rows)`)
  process.exitCode = r.ok ? 0 : 2
} finally {
  await database.close()
}
