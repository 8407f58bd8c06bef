/**
 * Typed errors. Every failure a user can see carries a stable `code` (for programs) and a
 * message a person can act on (for people). The API maps them to RFC 9457 problem+json using
 * `httpStatus`; workers record `code` and `message` on the run.
 */
export type ErrorDetails = Record<string, unknown>;

export class LatheError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly details: ErrorDetails | undefined;
  /** Retrying cannot help (bad input, illegal transition): queues fail such jobs at once. */
  readonly permanent: boolean;

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; details?: ErrorDetails; cause?: unknown; permanent?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LatheError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.details = options.details;
    this.permanent = options.permanent ?? (options.httpStatus !== undefined && options.httpStatus < 500);
  }

  toJSON(): { code: string; message: string; details?: ErrorDetails } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export class NotFoundError extends LatheError {
  constructor(entity: string, id: string | number) {
    super('not_found', `${entity} ${JSON.stringify(id)} does not exist`, {
      httpStatus: 404,
      details: { entity, id },
    });
  }
}

export class ValidationError extends LatheError {
  constructor(message: string, details?: ErrorDetails, code = 'validation_failed') {
    super(code, message, { httpStatus: 422, ...(details ? { details } : {}) });
  }
}

export class ConflictError extends LatheError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, message, { httpStatus: 409, ...(details ? { details } : {}) });
  }
}

export class ConfigError extends LatheError {
  constructor(message: string, details?: ErrorDetails) {
    super('invalid_config', message, { httpStatus: 500, permanent: true, ...(details ? { details } : {}) });
  }
}

export function isLatheError(error: unknown): error is LatheError {
  return error instanceof LatheError;
}

/** A stable code and message for anything thrown, for run rows and logs. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof LatheError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal_error', message: error.message };
  return { code: 'internal_error', message: String(error) };
}
