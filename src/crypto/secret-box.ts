import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { queryRows, sql, type Database, type Db } from '../db/database.js'

/**
 * Small secrets at rest (a school's channel credentials, a user's TOTP key): AES-256-GCM with a
 * random 96-bit nonce per value and the row as associated data (a sealed value copied to another
 * row does not open), stored as `v1.<nonce>.<tag>.<ciphertext>` in base64url. Each purpose has its
 * own key, derived by HKDF-SHA256 from its own material with its own label.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** `label` names the purpose (HKDF info): the same material gives another key for another purpose. */
  static fromMaterial(material: string | Buffer, label: string): SecretBox {
    const ikm = typeof material === 'string' ? Buffer.from(material, 'utf8') : material
    return new SecretBox(Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), label, 32)))
  }

  sealText(plain: string, aad: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.key, iv)
    c.setAAD(Buffer.from(aad, 'utf8'))
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  /** undefined when the value is not ours, was tampered with or was sealed for another row. */
  openText(sealed: string | null | undefined, aad: string): string | undefined {
    if (!sealed) return undefined
    const parts = sealed.split('.')
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64url'))
      d.setAAD(Buffer.from(aad, 'utf8'))
      d.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
      return Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64url')), d.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }

  seal(plain: object, aad: string): string {
    return this.sealText(JSON.stringify(plain), aad)
  }

  open<T extends object>(sealed: string | null | undefined, aad: string): T | undefined {
    const text = this.openText(sealed, aad)
    return text === undefined ? undefined : JSON.parse(text) as T
  }
}

/**
 * A secret the installation generated for itself, kept in the database's private schema
 * (xinan_private.secrets: readable by the login role, never by the app role xinan_app). With a
 * `candidate`, it is stored unless one is there already: the first instance's insert wins and one
 * that starts at the same moment reads the winner's. Without one, undefined when there is none.
 */
export async function privateSecret(db: Db, name: string, candidate: string): Promise<string>
export async function privateSecret(db: Db, name: string, candidate?: string): Promise<string | undefined>
export async function privateSecret(db: Db, name: string, candidate?: string): Promise<string | undefined> {
  if (candidate !== undefined) {
    await db.execute(sql`insert into xinan_private.secrets (name, value) values (${name}, ${candidate}) on conflict (name) do nothing`)
  }
  const rows = await queryRows<{ value: string }>(db, sql`select value from xinan_private.secrets where name = ${name}`)
  const value = rows[0]?.value
  if (candidate !== undefined && value === undefined) throw new Error(`secret ${name} missing after insert`)
  return value
}

export interface BoxKey {
  /** HKDF label of the purpose. */
  label: string
  /** Key material from configuration, or a file holding it. */
  value?: string | undefined
  file?: string | undefined
  /** Name of the generated secret used when neither is configured. */
  generatedName: string
}

const boxes = new WeakMap<Database, Map<string, Promise<SecretBox>>>()

/**
 * The installation's box for one purpose, resolved once per database handle: from the configured
 * key or key file, else from a random key generated once into the private schema. The sealed
 * columns are then unreadable to the app role and to anyone reading a table export, but not to
 * someone holding a full dump: production should configure a key.
 */
export function installationBox(database: Database, k: BoxKey): Promise<SecretBox> {
  let byLabel = boxes.get(database)
  if (!byLabel) boxes.set(database, byLabel = new Map<string, Promise<SecretBox>>())
  let p = byLabel.get(k.label)
  if (!p) {
    p = resolveBox(database, k)
    p.catch(() => byLabel.delete(k.label))
    byLabel.set(k.label, p)
  }
  return p
}

async function resolveBox(database: Database, k: BoxKey): Promise<SecretBox> {
  if (k.value) return SecretBox.fromMaterial(k.value, k.label)
  if (k.file) return SecretBox.fromMaterial(readFileSync(k.file), k.label)
  return SecretBox.fromMaterial(await privateSecret(database.db, k.generatedName, randomBytes(32).toString('base64url')), k.label)
}
