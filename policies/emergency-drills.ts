import { emergencyDrills } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** Drills of the emergency plan: kept by the school admin; psychology teachers read them and add their own. */
export default definePolicy({
  resource: 'emergency_drills',
  table: emergencyDrills,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    drill: ['drillDate', 'reach', 'scenario', 'participants', 'review'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', owner: 'createdBy' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'drill', 'meta'], write: ['drill'] },
    psych_teacher: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'drill', 'meta'], write: ['drill'] },
  },
})
