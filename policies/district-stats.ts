import { schools } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 区教育局 / 督导室: the schools of the caller's district, as the frame of the fixed,
 * suppressed aggregate tables. The only personal data behind those tables is
 * counted in SQL; nothing about a person is a field of this resource.
 */
export default definePolicy({
  resource: 'district_stats',
  table: schools,
  idColumn: 'id',
  fields: {
    keys: ['id', 'districtId'],
    info: ['code', 'name', 'stage', 'createdAt'],
    /** The school's own security setting: not the district's to read. */
    security: ['requireSecondFactor'],
  },
  relations: { school: 'id', district: 'districtId' },
  roles: {
    // create: an on-demand release of the district's figures (at most weekly, see release.ts).
    district_staff: { actions: ['read', 'export', 'create'], scope: 'district', read: ['keys', 'info'] },
  },
})
