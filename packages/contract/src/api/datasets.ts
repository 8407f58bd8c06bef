/** Datasets and their immutable, content-addressed versions. */
import { z } from 'zod';
import { type ColumnType, splitSpecSchema } from '../ingest-spec.ts';
import { useCaseSchema } from '../rows.ts';
import { anyObject, paginationQuery, timestamp } from './common.ts';

export const datasetSchema = z
  .object({
    id: z.uuid().describe('the dataset id'),
    name: z.string().describe('its unique name'),
    useCase: useCaseSchema,
    description: z.string().describe('what the data is'),
    createdAt: timestamp.describe('when it was created'),
    updatedAt: timestamp.describe('when it last changed'),
  })
  .meta({ id: 'Dataset', description: 'a named series of dataset versions' });

export const datasetVersionSchema = z
  .object({
    id: z.uuid().describe('the dataset version id'),
    datasetId: z.uuid().describe('the dataset it is a version of'),
    version: z.number().int().describe('its number within the dataset, from 1'),
    sha256: z.string().describe('sha256 of its content (identical content is the same version)'),
    uri: z.string().describe('where its content is in the artifact store'),
    format: z.string().describe('the content format, e.g. `jsonl`'),
    rows: z.number().int().describe('rows after validation'),
    sizeBytes: z.string().describe('bytes, as a string (may exceed 2^53)'),
    schema: z.unknown().describe('the validated schema: use case, columns, labels, image shape'),
    profile: z.unknown().nullable().describe('per-column statistics'),
    split: z.unknown().nullable().describe('the seeded train/validation/test split'),
    drift: z.unknown().nullable().describe('drift against the parent version'),
    source: z.unknown().describe('where the content came from (redacted)'),
    parentId: z.uuid().nullable().describe('the previous version, drift is measured against it'),
    createdAt: timestamp.describe('when it was registered'),
  })
  .meta({ id: 'DatasetVersion', description: 'an immutable, content-addressed version of a dataset' });

const datasetName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit');

export const createDatasetBody = z.strictObject({
  name: datasetName.describe('a unique name'),
  useCase: useCaseSchema,
  description: z.string().max(5000).optional().describe('what the data is'),
});

export const listDatasetsQuery = paginationQuery.extend({
  useCase: useCaseSchema.optional(),
  name: z.string().max(200).optional().describe('substring of the name'),
  sort: z
    .enum(['name', '-name', 'createdAt', '-createdAt'])
    .default('-createdAt')
    .describe('order; `-` descending'),
});

const columnList = (type: ColumnType, what: string) =>
  z.string().max(20_000).optional().describe(`tabular: comma-separated columns to use as ${type}: ${what}`);

export const ingestOptionsQuery = z.object({
  fileName: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe("the uploaded file's own name (customers.csv); errors name it instead of `the upload`"),
  target: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('tabular: the label column (default: a column named `target`)'),
  categorical: columnList(
    'categorical',
    'their values are codes, one-hot encoded or embedded even when they are integers',
  ),
  numeric: columnList('numeric', 'every value must parse as a number; standardised'),
  text: columnList('text', 'free text kept as a string'),
  id: columnList('id', 'identifiers kept with each row for joins and scoring output, never a model input'),
  timestamp: columnList('timestamp', 'dates or epoch seconds/ms, used as epoch milliseconds'),
  ignore: columnList('ignore', 'dropped at ingest'),
  pii: z
    .string()
    .max(20_000)
    .optional()
    .describe(
      'comma-separated column:action pairs, action hash (HMAC with the workers’ salt, stays joinable), remove or generalise; e.g. email:hash,name:remove',
    ),
  piiScanText: z
    .enum(['true', 'false'])
    .optional()
    .describe('replace emails and phone numbers found in free text (default true)'),
  split: splitSpecSchema.shape.strategy
    .unwrap()
    .optional()
    .describe('how rows are split into train, validation and test (default random)'),
  splitFractions: z
    .string()
    .max(100)
    .optional()
    .describe('train,validation,test fractions summing to 1 (default 0.8,0.1,0.1)'),
  splitSeed: z.coerce.number().int().optional().describe('seed of the split (default 42)'),
  invalidRows: z
    .enum(['fail', 'drop'])
    .optional()
    .describe('fail: refuse the file on the first invalid value (default); drop: skip such rows, counted'),
});
export type IngestOptionsQuery = z.infer<typeof ingestOptionsQuery>;

const formatQuery = z.object({
  format: z
    .enum(['csv', 'jsonl'])
    .optional()
    .describe('the body format (default: from the Content-Type, text/csv or application/x-ndjson)'),
});

/** POST /datasets/:id/versions: the body is the file; its format and ingest options are the query. */
export const versionUploadQuery = formatQuery.extend(ingestOptionsQuery.shape);

/** POST /dataset-uploads: as a version upload, naming the dataset (created when the file is accepted). */
export const datasetUploadQuery = versionUploadQuery.extend({
  name: datasetName.describe('the dataset to add the version to; created when absent'),
  useCase: useCaseSchema.describe('the use case of the dataset (must match an existing one)'),
  description: z.string().max(5000).optional().describe('description of a dataset created here'),
});

export const uploadResultSchema = z.object({
  version: datasetVersionSchema.describe('the version the content is'),
  created: z.boolean().describe('false when identical content was already a version'),
});

export const datasetUploadResultSchema = uploadResultSchema.extend({
  dataset: datasetSchema.describe('the dataset'),
  datasetCreated: z.boolean().describe('true when this upload created the dataset'),
});

export const datasetProfileSchema = z.object({
  datasetVersionId: z.uuid().describe('the dataset version'),
  schema: z.unknown().describe('its validated schema'),
  profile: anyObject.nullable().describe('per-column statistics'),
});

export const datasetDriftSchema = z.object({
  datasetVersionId: z.uuid().describe('the dataset version'),
  parentId: z.uuid().nullable().describe('the version it is compared with'),
  drift: anyObject.nullable().describe('drift per column against the parent'),
});

export type Dataset = z.infer<typeof datasetSchema>;
export type DatasetVersion = z.infer<typeof datasetVersionSchema>;
export type DatasetUploadResult = z.infer<typeof datasetUploadResultSchema>;
