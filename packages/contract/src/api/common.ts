/** Schemas every resource uses: problem details, ids, names, pagination. */
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string().describe('a URI naming the kind of problem'),
    title: z.string().describe('the HTTP status in words'),
    status: z.number().int().describe('the HTTP status'),
    detail: z.string().describe('what went wrong and what to do about it'),
    code: z.string().describe('a stable machine-readable code, e.g. `validation_failed`'),
    instance: z.string().optional().describe('the request path'),
    errors: z
      .array(
        z.object({
          field: z.string().describe('where the value was, e.g. `body.gate[0].metric`'),
          message: z.string().describe('what is wrong with it'),
        }),
      )
      .optional()
      .describe('one entry per invalid field'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
export type Problem = z.infer<typeof problemSchema>;

export const uuid = z.uuid();
export const idParams = z.object({ id: uuid.describe('the resource id') });

/** A serving endpoint's name (an experiment's name, lower-cased by convention). */
export const endpointName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"');

/** An ISO 8601 timestamp as the API sends it. */
export const timestamp = z.string();

export const paginationQuery = z.object({
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('items per page'),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item).describe('this page'),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last one'),
  });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const anyObject = z.record(z.string(), z.unknown());

/** Updates of a resource with an ETag: the ETag from GET; a stale one is 412. */
export const ifMatchHeader = z.object({ 'if-match': z.string().describe('the ETag from GET, e.g. "3"') });
export const optionalIfMatchHeader = z.object({
  'if-match': z
    .string()
    .optional()
    .describe('the ETag from GET, e.g. "3"; required when the resource exists'),
});
