import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config } from '../../config.js'
import { queryRows, sql, type Database } from '../../db/database.js'

/**
 * Channel secrets at rest: AES-256-GCM with a random 96-bit nonce per value, the school and the
 * channel as associated data (a sealed value copied to another school's or channel's row does
 * not open), stored as `v1.<nonce>.<tag>.<ciphertext>` in base64url.
 *
 * The key: HKDF-SHA256 of CHANNEL_SECRET_KEY, or of the contents of CHANNEL_SECRET_KEY_FILE.
 * Without either, a random key is generated once and kept in the database's private schema
 * (xinan_private.secrets, readable only by the login role, never by xinan_app), like the JWT
 * secret: the sealed columns are then unreadable to the app role and to anyone reading a table
 * export, but not to someone holding a full dump — production should set one of the two.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromMaterial(material: string | Buffer): SecretBox {
    const ikm = typeof material === 'string' ? Buffer.from(material, 'utf8') : material
    return new SecretBox(Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'xinan channel secrets v1', 32)))
  }

  seal(plain: object, aad: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.key, iv)
    c.setAAD(Buffer.from(aad, 'utf8'))
    const ct = Buffer.concat([c.update(JSON.stringify(plain), 'utf8'), c.final()])
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  /** undefined when the value is not ours, was tampered with or was sealed for another row. */
  open<T extends object>(sealed: string | null | undefined, aad: string): T | undefined {
    if (!sealed) return undefined
    const parts = sealed.split('.')
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64url'))
      d.setAAD(Buffer.from(aad, 'utf8'))
      d.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
      const plain = Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64url')), d.final()]).toString('utf8')
      return JSON.parse(plain) as T
    } catch {
      return undefined
    }
  }
}

/** The associated data of a school's channel row. */
export const channelAad = (schoolId: string, kind: string) => `school_channels:${schoolId}:${kind}`

const cache = new WeakMap<Database, Promise<SecretBox>>()

/** The installation's box, resolved once per database handle. */
export function secretBoxFor(config: Config, database: Database): Promise<SecretBox> {
  let p = cache.get(database)
  if (!p) {
    p = resolveBox(config, database)
    p.catch(() => cache.delete(database))
    cache.set(database, p)
  }
  return p
}

async function resolveBox(config: Config, database: Database): Promise<SecretBox> {
  if (config.CHANNEL_SECRET_KEY) return SecretBox.fromMaterial(config.CHANNEL_SECRET_KEY)
  if (config.CHANNEL_SECRET_KEY_FILE) return SecretBox.fromMaterial(readFileSync(config.CHANNEL_SECRET_KEY_FILE))
  const candidate = randomBytes(32).toString('base64url')
  await database.db.execute(sql`insert into xinan_private.secrets (name, value) values ('channel_key', ${candidate}) on conflict (name) do nothing`)
  const rows = await queryRows<{ value: string }>(database.db, sql`select value from xinan_private.secrets where name = 'channel_key'`)
  if (!rows[0]) throw new Error('channel key missing after insert')
  return SecretBox.fromMaterial(rows[0].value)
}
