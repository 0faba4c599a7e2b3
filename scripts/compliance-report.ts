/**
 * `npm run compliance:report -- --year 2026 [--school <code>] [--out file.xlsx|file.html]`
 * writes the yearly compliance report (未成年人个人信息保护合规审计) of every school, or of
 * the one named, as .xlsx and print-ready .html, and prints a summary (counts only). Runs as the
 * owner connection on the configured database (DATABASE_URL, or the embedded one in DATA_DIR:
 * stop an embedded server first, one process per data folder).
 */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { policies } from '../policies/index.js'
import { parseArgs, runComplianceReport, summaryLines } from '../src/modules/compliance/cli.js'

let args
try {
  args = parseArgs(process.argv.slice(2))
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
const config = loadConfig()
const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  const results = await runComplianceReport(database, config, policies, args)
  for (const r of results) console.log(summaryLines(r).join('\n'))
  process.exitCode = results.every((r) => r.report.auditChain.ok) ? 0 : 2
} catch (err) {
  console.error((err as Error).message)
  process.exitCode = 1
} finally {
  await database.close()
}
