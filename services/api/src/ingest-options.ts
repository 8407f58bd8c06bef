/**
 * Ingest options of an upload, as query parameters (the body is the file itself; the query's
 * schema is @lathe/contract's ingestOptionsQuery): the target column, declared column types, PII
 * policy, split and the invalid-row policy. They become the same ingest-spec fields that an
 * experiment's source carries, so an upload and a scheduled ingest of the same data are
 * configured alike.
 */
import { z } from 'zod';
import { HttpProblem, type FieldError } from '@lathe/core';
import {
  COLUMN_TYPES,
  type ColumnType,
  type IngestOptionsQuery,
  type IngestSpecInput,
  piiActionSchema,
  splitSpecSchema,
} from '@lathe/contract';

/** What an upload adds to the ingest spec besides its source and use case. */
export type UploadIngestOptions = Pick<
  IngestSpecInput,
  'columnMap' | 'columnTypes' | 'pii' | 'split' | 'invalidRows'
>;

const names = (list: string | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The query's options as ingest-spec fields; 422 naming the parameter when one cannot be used. */
export function ingestOptionsFromQuery(query: IngestOptionsQuery): UploadIngestOptions {
  const errors: FieldError[] = [];
  const columnTypes: Record<string, ColumnType> = {};
  for (const type of COLUMN_TYPES) {
    for (const column of names(query[type])) {
      const earlier = columnTypes[column];
      if (earlier !== undefined && earlier !== type)
        errors.push({ field: `query.${type}`, message: `column ${column} is also declared ${earlier}` });
      else if (column === query.target)
        errors.push({
          field: `query.${type}`,
          message: `column ${column} is the target; a target is not declared a feature type`,
        });
      else columnTypes[column] = type;
    }
  }
  const piiColumns: Record<string, z.infer<typeof piiActionSchema>> = {};
  for (const pair of names(query.pii)) {
    const [column, action, ...rest] = pair.split(':').map((s) => s.trim());
    const parsed = piiActionSchema.safeParse(action);
    if (!column || rest.length > 0 || !parsed.success)
      errors.push({
        field: 'query.pii',
        message: `${JSON.stringify(pair)} is not column:action with action one of ${piiActionSchema.options.join(', ')}`,
      });
    else piiColumns[column] = parsed.data;
  }
  let split: UploadIngestOptions['split'];
  if (query.split !== undefined || query.splitFractions !== undefined || query.splitSeed !== undefined) {
    const fractions = query.splitFractions?.split(',').map((s) => Number(s.trim()));
    const parsed = splitSpecSchema.safeParse({
      ...(query.split ? { strategy: query.split } : {}),
      ...(query.splitSeed !== undefined ? { seed: query.splitSeed } : {}),
      ...(fractions
        ? { fractions: { train: fractions[0], validation: fractions[1], test: fractions[2] } }
        : {}),
    });
    if (fractions && (fractions.length !== 3 || fractions.some((f) => !Number.isFinite(f))))
      errors.push({ field: 'query.splitFractions', message: 'must be three numbers: train,validation,test' });
    else if (!parsed.success)
      errors.push({ field: 'query.splitFractions', message: parsed.error.issues[0]!.message });
    else split = parsed.data;
  }
  if (errors.length > 0)
    throw new HttpProblem(
      422,
      'invalid_ingest_options',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  return {
    ...(query.target ? { columnMap: { target: query.target } } : {}),
    ...(Object.keys(columnTypes).length > 0 ? { columnTypes } : {}),
    ...(Object.keys(piiColumns).length > 0 || query.piiScanText !== undefined
      ? {
          pii: {
            columns: piiColumns,
            ...(query.piiScanText !== undefined ? { scanText: query.piiScanText === 'true' } : {}),
          },
        }
      : {}),
    ...(split ? { split } : {}),
    ...(query.invalidRows ? { invalidRows: query.invalidRows } : {}),
  };
}
