/** Schemas shared by many routes: problem details, ids, pagination. */
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const uuid = z.uuid();
export const idParams = z.object({ id: uuid });
/** A serving endpoint's name (an experiment's name, lower-cased by convention). */
export const endpointName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"');

/** A Prisma-style enum as a zod enum. */
export const useCaseSchema = z.enum(['recommendation', 'image', 'nlp', 'tabular', 'generative']);

export const paginationQuery = z.object({
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const anyObject = z.record(z.string(), z.unknown());
