/**
 * What an experiment stores as its `source`: either a bare source (`{ kind: 'sample', name:
 * 'mnist' }`) or an ingest spec without the use case (`{ source, split, pii, schema, … }`).
 * The use case always comes from the experiment. Upload streams cannot be stored, so the
 * `stream` kind is not accepted here (uploads go through the API's dataset-version route).
 * It holds no secret: a Postgres source names a connection whose URL is in the ingest workers'
 * environment (docs/connections.md).
 */
import { z } from 'zod';
import { ValidationError } from '@lathe/core';
import { type IngestSpecInput, ingestSpecSchema, sourceSchema } from './ingest-spec.ts';
import { refuseSecrets } from './spec-secrets.ts';

const storableKinds = sourceSchema.options.filter((option) => option.shape.kind.value !== 'stream');
export const storedSourceSchema = z.discriminatedUnion(
  'kind',
  storableKinds as unknown as [
    z.ZodObject<{ kind: z.ZodLiteral<string> }>,
    ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[],
  ],
);

export const storedIngestSpecSchema = z.union([
  storedSourceSchema,
  ingestSpecSchema.omit({ useCase: true }).extend({ source: storedSourceSchema }),
]);

/**
 * The ingest spec of a stored source. A stored spec holding a secret (stored before the API
 * refused them, or one the redaction migration replaced by `***`) fails with
 * `secret_in_source`, saying where the secret belongs instead.
 */
export function toIngestSpec(useCase: string, stored: unknown): IngestSpecInput {
  const body =
    stored !== null && typeof stored === 'object' && 'kind' in stored ? { source: stored } : stored;
  try {
    refuseSecrets(body, '', 'secret_in_source');
  } catch (error) {
    const e = error as ValidationError;
    throw new ValidationError(`experiment source: ${e.message}`, e.details, 'secret_in_source');
  }
  const parsed = ingestSpecSchema.safeParse({ ...(body as object), useCase });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `experiment source: ${issue.path.join('.') || 'source'}: ${issue.message}`,
      { issues: parsed.error.issues },
      'invalid_source',
    );
  }
  return parsed.data;
}
