export const Roles = {
  psych_teacher: 'psych_teacher',
  homeroom_teacher: 'homeroom_teacher',
  mentor: 'mentor',
  peer_monitor: 'peer_monitor',
  district_staff: 'district_staff',
  school_admin: 'school_admin',
} as const
export type Role = (typeof Roles)[keyof typeof Roles]
export const roleList = Object.values(Roles) as Role[]

export interface RoleGrant {
  role: Role
  schoolId: string | null
  classId: string | null
  districtId: string | null
}

/** Who is asking: checked against the database on every request (users.auth_epoch) so revocations bite at once. */
export interface Actor {
  userId: string
  username: string
  displayName: string
  sessionId: string
  schoolId: string | null
  districtId: string | null
  roles: RoleGrant[]
}

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.some((r) => r.role === role)
}
