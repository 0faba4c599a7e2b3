/**
 * The few typed errors services throw (STYLE.md §11). One handler in plugins/errors.ts maps
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

export class TooMany extends AppError {
  constructor(code = 'too_many_attempts') { super(429, code) }
}
