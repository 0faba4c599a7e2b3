import { z } from 'zod'

export const RoleGrantSchema = z.object({
  role: z.string(),
  schoolId: z.string().nullable(),
  classId: z.string().nullable(),
  districtId: z.string().nullable(),
})

export const PublicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  schoolId: z.string().nullable(),
  districtId: z.string().nullable(),
  roles: z.array(RoleGrantSchema),
  /** Someone else chose the password: nothing but changing it works until it is changed. */
  mustChangePassword: z.boolean(),
})

export const TokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number(),
  user: PublicUserSchema,
})

export const LoginBody = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
})

export const RefreshBody = z.strictObject({ refreshToken: z.string().min(10).max(200) })

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
})

export const SessionSchema = z.object({
  id: z.string(),
  createdAt: z.date(),
  /** The newest token refresh: exact to within one access-token lifetime. */
  lastActiveAt: z.date(),
  current: z.boolean(),
})

export const SessionListSchema = z.object({ items: z.array(SessionSchema) })

export const EndedSchema = z.object({ ended: z.number().int() })
