/**
 * What an experiment stores as its `source`: either a bare source (`{ kind: 'sample', name:
 * 'mnist' }`) or an ingest spec without the use case (`{ source, split, pii, schema, … }`);
 * the use case always comes from the experiment.
 */
import { type IngestSpecInput, ingestSpecSchema } from '@lathe/data';
import { ValidationError } from '@lathe/core';

export function toIngestSpec(useCase: string, stored: unknown): IngestSpecInput {
  const body = stored !== null && typeof stored === 'object' && 'kind' in stored ? { source: stored } : stored;
  const parsed = ingestSpecSchema.safeParse({ ...(body as object), useCase });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`experiment source: ${issue.path.join('.') || 'source'}: ${issue.message}`, { issues: parsed.error.issues }, 'invalid_source');
  }
  return parsed.data;
}
