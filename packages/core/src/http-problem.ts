/**
 * Errors as RFC 9457 problem details (`application/problem+json`), for every HTTP service
 * (the admin API, the serving gateway). Every error leaves through `toProblem`: a LatheError
 * keeps its status and code, a body-parser error keeps its 4xx status, anything else becomes a
 * 500 whose detail says nothing about internals (the stack goes to the log, never to the client).
 * Express is typed structurally here, so this package does not depend on it.
 */
import { LatheError } from './errors.ts';
import type { Logger } from './logger.ts';
import { redactSecrets } from './secrets.ts';

/** The parts of Express's response that sending a problem uses. */
export interface ProblemResponse {
  headersSent: boolean;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
  status(code: number): ProblemResponse;
  type(mediaType: string): ProblemResponse;
  send(body: string): unknown;
}

/** Express's error-handling middleware, typed structurally. */
export type ProblemErrorHandler = (
  error: unknown,
  req: { method: string; originalUrl: string },
  res: ProblemResponse,
  next: (error?: unknown) => void,
) => void;

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A LatheError that carries field errors (validation) in `details.errors`. */
export class HttpProblem extends LatheError {
  constructor(status: number, code: string, message: string, errors?: FieldError[]) {
    super(code, message, { httpStatus: status, ...(errors ? { details: { errors } } : {}) });
  }
}

function problemType(code: string): string {
  return `https://lathe.dev/problems/${code.replace(/_/g, '-')}`;
}

/** Body-parser and http-errors set `status` and `expose` on client errors. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

export function toProblem(error: unknown): Problem {
  if (error instanceof LatheError) {
    const status = error.httpStatus >= 400 && error.httpStatus < 600 ? error.httpStatus : 500;
    const errors = (error.details?.errors as FieldError[] | undefined) ?? undefined;
    const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
    const problem: Problem = {
      type: problemType(error.code),
      title: TITLES[status] ?? 'Error',
      status,
      detail: status >= 500 && error.code === 'internal_error' ? 'an internal error occurred' : error.message,
      code: error.code,
    };
    if (errors) problem.errors = errors;
    else if (field) problem.errors = [{ field, message: error.message }];
    if (error.details) {
      for (const [key, value] of Object.entries(error.details)) {
        if (key !== 'errors' && !(key in problem)) problem[key] = value;
      }
    }
    return problem;
  }
  const httpish = (error ?? {}) as HttpishError;
  const status = httpish.status ?? httpish.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      httpish.type === 'entity.too.large'
        ? 'payload_too_large'
        : httpish.type === 'entity.parse.failed'
          ? 'malformed_body'
          : httpish.type === 'encoding.unsupported' || httpish.type === 'charset.unsupported'
            ? 'unsupported_encoding'
            : 'bad_request';
    const detail =
      code === 'payload_too_large'
        ? 'the request body is larger than this route accepts'
        : code === 'malformed_body'
          ? `the request body is not valid JSON: ${httpish.message ?? ''}`.trim()
          : httpish.expose && httpish.message
            ? httpish.message
            : 'the request could not be read';
    return { type: problemType(code), title: TITLES[status] ?? 'Bad Request', status, detail, code };
  }
  return {
    type: problemType('internal_error'),
    title: TITLES[500]!,
    status: 500,
    detail: 'an internal error occurred; it has been logged',
    code: 'internal_error',
  };
}

export function sendProblem(res: ProblemResponse, problem: Problem): void {
  // A message may quote what it failed on (a URL, a driver's error): never with a secret in it.
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(redactSecrets(problem)));
}

/**
 * The error middleware. `classify` turns errors this package cannot know about into
 * LatheErrors first (the registry's "Postgres is unreachable" becomes a 503).
 */
export function problemHandler(
  logger: Logger,
  options: { classify?: (error: unknown) => LatheError | undefined } = {},
): ProblemErrorHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = toProblem(options.classify?.(error) ?? error);
    problem.instance = req.originalUrl;
    // RFC 9110: a 401 names the scheme to authenticate with. API keys go as Bearer tokens; a
    // route that takes another scheme (Basic, for a browser) sets its own challenge first.
    if (problem.status === 401 && res.getHeader('WWW-Authenticate') === undefined)
      res.setHeader('WWW-Authenticate', 'Bearer');
    if (problem.status >= 500)
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    sendProblem(res, problem);
  };
}
