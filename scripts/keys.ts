/**
 * `npm run keys -- <command>`: the keys of the free-text notes encryption, against the
 * configured database (DATABASE_URL, or the embedded one in DATA_DIR; stop an embedded server
 * first, one process per data folder). Prints ids and counts only, never a value or a key.
 *
 *   status                      keys per school (active or retired, which master wraps them,
 *                               how many values each sealed) and values still in the clear
 *   rotate-master               re-wraps every school's data key under NOTES_MASTER_KEY, opening
 *                               the old ones with NOTES_MASTER_KEY_PREVIOUS; no value changes
 *   rotate-school --school C    a new data key for school C (the old one retired), then every
 *                               value of the school re-sealed under it, in batches
 *   reencrypt --school C        seals school C's values written before encryption at rest
 *
 * A running server notices a new key of a school within five minutes (or at its next start);
 * until then it keeps sealing with the retired one, which stays readable.
 */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { openNotesKeys } from '../src/crypto/notes-keys.js'
import { keyStatus, reencryptSchool, rotateMaster, rotateSchool, schoolIdOf } from '../src/crypto/key-commands.js'

class UsageError extends Error {}

const COMMANDS = ['status', 'rotate-master', 'rotate-school', 'reencrypt'] as const
const args = process.argv.slice(2)
const command = args.find((a) => !a.startsWith('--'))
const option = (flag: string) => {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

if (!command || !(COMMANDS as readonly string[]).includes(command)) {
  console.error(`usage: npm run keys -- ${COMMANDS.join(' | ')} [--school <code>] [--batch <rows>]`)
  process.exit(1)
}
const batch = Number(option('--batch') ?? 200)
if (!Number.isInteger(batch) || batch < 1) {
  console.error('--batch takes a whole number of rows')
  process.exit(1)
}

const config = loadConfig()
const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  const keys = await openNotesKeys(database.db, config, (msg) => console.warn(msg))
  const school = async () => {
    const code = option('--school')
    if (!code) throw new UsageError(`${command} needs --school <school code>`)
    const id = await schoolIdOf(database.db, code)
    if (!id) throw new UsageError(`no school with code ${code}`)
    return id
  }
  const started = performance.now()
  if (command === 'status') {
    const s = await keyStatus(keys)
    console.log(`current master key: ${s.currentMaster}`)
    for (const k of s.keys) {
      console.log(`${k.schoolCode.padEnd(16)} ${k.keyId}  ${k.active ? 'active ' : 'retired'}  ${k.masterKeyId}  ${String(k.values).padStart(8)} values  created ${k.createdAt}`)
    }
    for (const p of s.plaintext) console.log(`${p.schoolCode.padEnd(16)} ${String(p.values).padStart(8)} values not yet sealed (npm run keys -- reencrypt --school ${p.schoolCode})`)
    const lost = s.keys.filter((k) => !k.masterConfigured)
    if (lost.length) console.log(`${lost.length} key(s) wrapped by a master key that is not configured (${[...new Set(lost.map((k) => k.masterKeyId))].join(', ')}): set it as NOTES_MASTER_KEY or NOTES_MASTER_KEY_PREVIOUS; without it their notes cannot be read`)
    else if (s.keys.some((k) => k.masterKeyId !== s.currentMaster)) console.log('some keys are wrapped by the previous master key: npm run keys -- rotate-master')
  } else if (command === 'rotate-master') {
    const r = await rotateMaster(keys)
    console.log(`${r.rewrapped} data key(s) re-wrapped under ${r.current}`)
  } else if (command === 'rotate-school') {
    const r = await rotateSchool(keys, await school(), batch)
    console.log(`new data key ${r.keyId}; ${r.resealed} value(s) re-sealed`)
  } else {
    const r = await reencryptSchool(keys, await school(), batch)
    console.log(`${r.sealed} value(s) sealed`)
  }
  console.log(`done in ${Math.round(performance.now() - started)} ms`)
} catch (err) {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? err.message : String(err))
  process.exitCode = 1
} finally {
  await database.close()
}

