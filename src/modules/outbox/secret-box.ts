import type { Config } from '../../config.js'
import type { Database } from '../../db/database.js'
import { installationBox, SecretBox } from '../../crypto/secret-box.js'

/**
 * Channel secrets at rest (src/crypto/secret-box.ts), with the school and the channel as
 * associated data: a sealed value copied to another school's or channel's row does not open.
 * The key: HKDF-SHA256 of CHANNEL_SECRET_KEY, or of the contents of CHANNEL_SECRET_KEY_FILE, or
 * of a key generated once into the private schema.
 */
export const CHANNEL_LABEL = 'xinan channel secrets v1'

/** The associated data of a school's channel row. */
export const channelAad = (schoolId: string, kind: string) => `school_channels:${schoolId}:${kind}`

/** A channel box from given key material (tests seal fixtures with it). */
export const channelBox = (material: string | Buffer): SecretBox => SecretBox.fromMaterial(material, CHANNEL_LABEL)

/** The installation's channel box, resolved once per database handle. */
export function secretBoxFor(config: Config, database: Database): Promise<SecretBox> {
  return installationBox(database, {
    label: CHANNEL_LABEL, value: config.CHANNEL_SECRET_KEY, file: config.CHANNEL_SECRET_KEY_FILE, generatedName: 'channel_key',
  })
}
