/**
 * The few typed errors services throw. One handler in plugins/errors.ts maps
 * them to { statusCode, code, message, requestId }; `params` fill the localised message and
 * `details` carry structured, non-personal extras (field names, row numbers).
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly params: Record<string, string | number> = {},
    readonly details?: unknown,
  ) {
    super(code)
  }
}

export class NotFound extends AppError {
  constructor() { super(404, 'not_found') }
}

export class Unauthorized extends AppError {
  constructor(code: 'unauthorized' | 'invalid_token' | 'invalid_credentials' = 'unauthorized') { super(401, code) }
}

export class Forbidden extends AppError {
  constructor(code = 'forbidden') { super(403, code) }
}

export class Conflict extends AppError {
  constructor(code = 'conflict', params: Record<string, string | number> = {}) { super(409, code, params) }
}

export class Validation extends AppError {
  constructor(code = 'validation_failed', params: Record<string, string | number> = {}, details?: unknown, status = 400) {
    super(status, code, params, details)
  }
}

/**
 * A student named on a form who is not in the caller's class (a monitor's alert, a homeroom
 * teacher's talk, the class barometer). It answers 404 whether the student is elsewhere or
 * nowhere, so nothing is revealed, but says what was wrong in words: the 学号 that was typed,
 * or that no classmate has the typed name — never "记录不存在".
 */
export class NotInClass extends AppError {
  constructor(named: { studentNo?: string; studentName?: string }) {
    const field = named.studentNo !== undefined ? 'studentNo' : named.studentName !== undefined ? 'studentName' : 'studentId'
    const code = field === 'studentNo' ? 'student_no_not_in_class' : field === 'studentName' ? 'classmate_name_not_found' : 'student_not_in_class'
    super(404, code, named.studentNo !== undefined ? { studentNo: named.studentNo } : {}, { fields: [field] })
  }
}

export class TooMany extends AppError {
  constructor(code = 'too_many_attempts') { super(429, code) }
}
