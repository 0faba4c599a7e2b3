import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { Text, Timestamp } from './route-parts.js'

/** 转介机构名录: where a school refers pupils (hospital psychiatry, mental-health centre …). */
export const InstitutionKinds = ['hospital_psychiatry', 'mental_health_centre', 'counselling_centre', 'other'] as const

export const InstitutionItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  name: z.string(),
  kind: z.string(),
  department: z.string().nullable(),
  contactPhone: z.string().nullable(),
  address: z.string().nullable(),
  createdAt: Timestamp,
}).partial()

const Phone = z.string().trim().regex(/^\+?[0-9][0-9 -]{5,22}[0-9]$/, 'phone number')

export const InstitutionCreate = z.strictObject({
  name: Text(100),
  kind: z.enum(InstitutionKinds),
  department: Text(100).optional(),
  contactPhone: Phone.optional(),
  address: Text(200).optional(),
})

export const InstitutionPatch = z.strictObject({
  name: Text(100).optional(),
  kind: z.enum(InstitutionKinds).optional(),
  department: Text(100).nullable().optional(),
  contactPhone: Phone.nullable().optional(),
  address: Text(200).nullable().optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

export const InstitutionListQuery = Pagination.extend({
  kind: z.enum(InstitutionKinds).optional(),
})
