/**
 * An experiment's stored `source` (@lathe/contract's storedIngestSpecSchema) as the ingest spec
 * the ingest stage runs.
 */
import { type IngestSpec, ingestSpecSchema } from '@lathe/contract';
import { ValidationError } from '@lathe/core';
import { refuseSecrets } from './spec-secrets.ts';

/**
 * The ingest spec of a stored source. A stored spec holding a secret (stored before the API
 * refused them, or one the redaction migration replaced by `***`) fails with
 * `secret_in_source`, saying where the secret belongs instead.
 */
export function toIngestSpec(useCase: string, stored: unknown): IngestSpec {
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
