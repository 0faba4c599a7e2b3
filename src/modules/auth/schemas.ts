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
  /** Signs in with a code from an authenticator app too. */
  secondFactorEnabled: z.boolean(),
  /** A second factor is required and none is set up: nothing but setting it up works until it is. */
  mustEnrolSecondFactor: z.boolean(),
})

export const TokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number(),
  user: PublicUserSchema,
})

/** The password step's answer when the account has a second factor: the code step comes next. */
export const SecondStepSchema = z.object({
  secondFactor: z.literal('totp'),
  challenge: z.string(),
  expiresIn: z.number(),
})

export const LoginAnswer = z.union([TokenPairSchema, SecondStepSchema])

/** Six digits from the app (spaces allowed), or a recovery code: exactly one of the two. */
const code = z.string().trim().regex(/^\d{3}\s?\d{3}$/, 'six digits')
const recoveryCode = z.string().trim().min(8).max(40)
const oneProof = (v: { code?: string; recoveryCode?: string; password?: string }) =>
  [v.code, v.recoveryCode, v.password].filter((x) => x !== undefined).length === 1

export const SecondFactorLoginBody = z.strictObject({
  challenge: z.string().min(10).max(500),
  code: code.optional(),
  recoveryCode: recoveryCode.optional(),
}).refine(oneProof, { message: 'give a code or a recovery code', path: ['code'] })

export const StepUpBody = z.strictObject({
  code: code.optional(),
  recoveryCode: recoveryCode.optional(),
  /** For an account without a second factor: its password. */
  password: z.string().min(1).max(200).optional(),
}).refine(oneProof, { message: 'give a code, a recovery code or the password', path: ['code'] })

export const StepUpAnswer = z.object({ provedAt: z.date(), validMinutes: z.number() })

export const SecondFactorStatusSchema = z.object({
  enabled: z.boolean(),
  enabledAt: z.date().nullable(),
  required: z.boolean(),
  recoveryCodesLeft: z.number().int(),
})

export const EnrolmentSchema = z.object({
  /** Base32, to type into the app by hand. */
  secret: z.string(),
  /** otpauth://totp/…, for the QR code. */
  otpauthUri: z.string(),
})

export const ConfirmBody = z.strictObject({ code })

export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) })

/** A school's second-factor requirement: its own choice (null: the deployment's default) and what applies. */
export const SchoolSecondFactorSchema = z.object({
  required: z.boolean().nullable(),
  deploymentDefault: z.boolean(),
  effective: z.boolean(),
})

export const SchoolSecondFactorBody = z.strictObject({ required: z.boolean().nullable() })

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
