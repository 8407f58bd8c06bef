/**
 * An API failure as the dashboard shows it: the HTTP status, the problem's stable `code`, and
 * a message a person can act on. 401 and 403 get messages about the key, because that is what
 * the user can change from here.
 */
import type { Problem } from '@lathe/contract';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem | null;

  constructor(status: number, code: string, message: string, problem: Problem | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
  }

  /** The key is missing, unknown or revoked: the user must enter another. */
  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the error for a non-2xx response; `body` is the parsed JSON (or null when it was not JSON). */
export function apiErrorFrom(status: number, body: unknown, what: string): ApiError {
  const problem = isProblem(body) ? body : null;
  const code = problem?.code ?? (status === 0 ? 'network_error' : `http_${status}`);
  const detail = problem?.detail;
  const fields = problem?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  let message: string;
  if (status === 401) {
    message = `The API refused the key (${code}): ${detail ?? 'unknown or revoked'}. Enter a valid API key.`;
  } else if (status === 403) {
    message = `Your key may not do this (${code}): ${detail ?? 'insufficient role'}. Ask an admin for a key with that role.`;
  } else if (status === 429) {
    message = `Too many requests (${code}); wait a moment and try again.`;
  } else if (status === 0) {
    message = `Could not reach the API for ${what}: ${detail ?? 'network error'}.`;
  } else {
    message = `${what} failed (${status} ${code})${detail ? `: ${detail}` : ''}${fields && !detail?.includes(fields) ? ` [${fields}]` : ''}`;
  }
  return new ApiError(status, code, message, problem);
}
