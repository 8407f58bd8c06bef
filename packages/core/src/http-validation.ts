/**
 * zod validation of an HTTP request's params, query and body (the admin API, the gateway). A failure becomes one 422 (400 for params/query
 * that cannot even be parsed is not worth distinguishing) with one `{ field, message }` per
 * issue; `field` is a dotted path prefixed by where it came from (`body.gate.0.metric`).
 */
import type { z } from 'zod';
import { HttpProblem, type FieldError } from './http-problem.ts';

export type RequestPart = 'params' | 'query' | 'body' | 'headers';

export function fieldErrors(part: RequestPart, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export function parsePart<S extends z.ZodType>(part: RequestPart, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(part, result.error);
  const first = errors[0];
  throw new HttpProblem(
    422,
    'validation_failed',
    first
      ? `${first.field}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`
      : `invalid ${part}`,
    errors,
  );
}
