import { AppError } from '../lib/errors.js'

/**
 * Every unique constraint or unique index of the schema → the request field a caller changes
 * to resolve the clash, and the thing that exists when that is not the field's own name (the
 * 409's message names it: "记录已存在：学号"). A test reads the
 * database's catalogue and fails when a unique constraint is missing here.
 */
export const UNIQUE_FIELDS: Readonly<Record<string, string | { field: string; what: string }>> = {
  districts_code_unique: 'code',
  schools_code_unique: 'code',
  users_username_unique: 'username',
  refresh_tokens_token_hash_unique: { field: 'token', what: 'session' },
  grades_school_level_uq: 'level',
  classes_school_grade_seq_uq: 'seq',
  students_school_no_uq: 'studentNo',
  students_national_id_uq: 'nationalId',
  student_transfers_open_uq: { field: 'studentId', what: 'student_transfer' },
  school_keys_active_uq: { field: 'key', what: 'school_key' },
  guardians_student_name_uq: 'name',
  terms_school_year_sem_uq: 'semester',
  holidays_school_name_start_uq: { field: 'name', what: 'holiday' },
  school_year_rollovers_year_uq: 'schoolYear',
  instruments_code_version_uq: 'code',
  screening_responses_once_uq: 'response',
  intervention_plans_case_uq: 'plan',
  crisis_checklist_item_uq: 'item',
  safety_plans_active_case_uq: { field: 'caseId', what: 'safety_plan' },
  safety_plan_versions_version_uq: 'version',
  talk_rules_kind_uq: 'kind',
  talk_duties_window_uq: 'windowKey',
  letter_boxes_school_uq: { field: 'schoolId', what: 'letter_box' },
  letter_boxes_slug_uq: 'slug',
  letters_reply_code_uq: 'replyCode',
  barometer_entries_once_uq: { field: 'periodKey', what: 'barometer_entry' },
  staff_profiles_user_uq: 'userId',
  escalation_chains_kind_uq: { field: 'kind', what: 'escalation_chain' },
  safety_assessments_crisis_uq: { field: 'crisisId', what: 'safety_assessment' },
  school_channels_kind_uq: { field: 'kind', what: 'school_channel' },
  safety_form_wordings_form_uq: { field: 'formCode', what: 'safety_form_wording' },
  screening_consents_once_uq: { field: 'studentId', what: 'screening_consent' },
  yearly_plans_year_uq: 'schoolYear',
  emergency_plans_version_uq: { field: 'version', what: 'emergency_plan_version' },
  lesson_records_once_uq: { field: 'kind', what: 'lesson_record' },
  self_checks_period_uq: { field: 'termId', what: 'self_check' },
}

/**
 * A database error as the error a caller may see. Unique and foreign-key violations become
 * 409s naming the field; anything else becomes a bare server fault carrying only its SQLSTATE:
 * a raw driver error holds the statement's parameters (names, phone numbers, letter text) in
 * its message, which the 5xx logger would write out. Errors already typed pass unchanged.
 */
export function fromDatabaseError(err: unknown): unknown {
  if (err instanceof AppError) return err
  const pg = pgErrorOf(err)
  if (!pg) return err
  if (pg.code === '23505') {
    const named = pg.constraint ? UNIQUE_FIELDS[pg.constraint] : undefined
    const { field, what } = typeof named === 'string' ? { field: named, what: named } : named ?? { field: '', what: '' }
    return new AppError(409, 'duplicate', { what }, field ? { fields: [field] } : undefined)
  }
  if (pg.code === '23503') return new AppError(409, 'in_use')
  const safe = new Error(`database error ${pg.code ?? 'unknown'}`)
  safe.name = 'DatabaseError'
  return safe
}

function pgErrorOf(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown }
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) {
      const c = typeof o.constraint_name === 'string' ? o.constraint_name : typeof o.constraint === 'string' ? o.constraint : undefined
      return { code: o.code, ...(c ? { constraint: c } : {}) }
    }
  }
  // A drizzle query error without a recognisable cause still carries the parameters.
  if (err && typeof err === 'object' && 'params' in err && 'query' in err) return {}
  return undefined
}
