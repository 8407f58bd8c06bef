/**
 * What an ingest is asked to do, as zod schemas: the API validates request bodies with the
 * same schemas the ingest stage parses its job input with (@lathe/data runs it).
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { secretInText } from '@lathe/core';
import { useCaseSchema } from './rows.ts';

/** Where a secret belongs instead of a source: a named connection the ingest workers hold. */
export const NAMED_CONNECTION_ADVICE =
  'name a connection instead ({"kind": "postgres", "connection": "<name>", …}), whose URL the ingest workers read from LATHE_CONNECTION_<NAME>_URL or LATHE_CONNECTIONS_FILE (docs/connections.md)';

/** `<name>` of LATHE_CONNECTION_<NAME>_URL, upper-cased there (`sales_eu` ↔ LATHE_CONNECTION_SALES_EU_URL). */
export const connectionNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    'a connection name: lower-case letters, digits and "_", starting with a letter (LATHE_CONNECTION_<NAME>_URL in the ingest workers\' environment)',
  )
  .describe("a connection configured in the ingest workers' environment (LATHE_CONNECTION_<NAME>_URL)");

export const textFormatSchema = z
  .enum(['csv', 'tsv', 'jsonl'])
  .describe('the text format; default from the file name');
export type TextFormat = z.infer<typeof textFormatSchema>;

const textOptions = {
  format: textFormatSchema.optional(),
  delimiter: z.string().min(1).max(4).optional().describe('field separator for `csv`; `tsv` implies a tab'),
};

export const sampleNameSchema = z
  .enum(['mnist', 'fashion-mnist', 'debian-packages', 'synthetic-interactions'])
  .describe('a sample data set shipped with Lathe');
export type SampleName = z.infer<typeof sampleNameSchema>;

/**
 * A query against a business database. `connection` names a connection whose URL (password
 * included) is in the ingest workers' environment, never in the registry (docs/connections.md);
 * an inline `connectionString` is accepted only without a password (trust or peer auth, a
 * PGPASSWORD or ~/.pgpass of the worker) and only where the workers allow inline strings.
 */
export const postgresSourceSchema = z
  .object({
    kind: z.literal('postgres').describe('a query against a Postgres database'),
    connection: connectionNameSchema.optional(),
    connectionString: z
      .string()
      .min(1)
      .optional()
      .describe('an inline connection string without a password, where the workers allow one'),
    query: z.string().min(1).describe('the SQL query; each row is a record'),
    params: z.array(z.unknown()).optional().describe('its $1, $2… parameters'),
  })
  .superRefine((source, ctx) => {
    if (source.connection === undefined && source.connectionString === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['connection'],
        message: `a Postgres source needs a connection: ${NAMED_CONNECTION_ADVICE.replace(/^name a connection instead /, 'name one ')}`,
      });
    } else if (source.connection !== undefined && source.connectionString !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectionString'],
        message: 'give either a connection name or a connectionString, not both',
      });
    }
    const secret = source.connectionString === undefined ? null : secretInText(source.connectionString);
    if (secret) {
      const what = secret.redacted
        ? 'its password was removed when Lathe stopped storing secrets in the registry'
        : 'a connection string with a password is not accepted: Lathe never stores secrets in the registry';
      ctx.addIssue({
        code: 'custom',
        path: ['connectionString'],
        message: `${what}; ${NAMED_CONNECTION_ADVICE}`,
      });
    }
  });

export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file').describe('a file the ingest workers can read'),
    path: z.string().min(1).describe('its path on the workers'),
    ...textOptions,
  }),
  z.object({
    kind: z.literal('url').describe('a file over HTTP(S)'),
    url: z.url({ protocol: /^https?$/ }).describe('its URL (no credentials)'),
    ...textOptions,
  }),
  z.object({
    kind: z.literal('stream'),
    stream: z.custom<Readable>((value) => value instanceof Readable, 'expected a Readable stream'),
    format: textFormatSchema,
    delimiter: z.string().min(1).max(4).optional(),
    /** How messages name the stream: an upload's own file name, never a server path. */
    name: z.string().min(1).max(500).optional(),
  }),
  postgresSourceSchema,
  z.object({
    kind: z.literal('idx').describe('images and labels in IDX files (the MNIST format)'),
    images: z.string().min(1).describe('path of the images file'),
    labels: z.string().min(1).describe('path of the labels file'),
    labelNames: z.array(z.string()).optional().describe('a name per label index'),
  }),
  z.object({
    kind: z.literal('image-folder').describe('one folder per label, of image files'),
    path: z.string().min(1).describe('the folder on the workers'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(1)
      .describe('1: greyscale, 3: RGB'),
    resize: z
      .object({
        width: z.number().int().positive().describe('pixels'),
        height: z.number().int().positive().describe('pixels'),
      })
      .optional()
      .describe("resize every image to this size; without it every image must have the first one's size"),
  }),
  z.object({
    kind: z.literal('sample').describe('a sample data set shipped with Lathe'),
    name: sampleNameSchema,
    options: z.record(z.string(), z.unknown()).default({}).describe("the sample's own options"),
  }),
]);
export type SourceSpec = z.infer<typeof sourceSchema>;

/** Normalised field ← source column. */
export const columnMapSchema = z
  .object({
    user: z.string().describe('recommendation: the user column'),
    item: z.string().describe('recommendation: the item column'),
    rating: z.string().describe('recommendation: the rating column (absent for implicit feedback)'),
    timestamp: z.string().describe('recommendation: the time column'),
    label: z.string().describe('image, nlp: the label column'),
    text: z.string().describe('nlp: the text column'),
    pixels: z.string().describe('image: the pixels column'),
    target: z.string().describe('tabular: the target column'),
    features: z
      .array(z.string())
      .describe('tabular: feature columns; default every column except target and `exclude`'),
    exclude: z.array(z.string()).describe('tabular: columns that are not features'),
  })
  .partial()
  .describe('normalised field ← source column');
export type ColumnMap = z.infer<typeof columnMapSchema>;

/**
 * How a tabular column is used, declared by the user; undeclared columns are numeric when
 * every value parses as a number, else categorical (the profile proposes better types).
 */
export const columnTypeSchema = z
  .enum(['categorical', 'numeric', 'text', 'id', 'timestamp', 'ignore'])
  .describe(
    'categorical: values are codes (one-hot or embedded, even when they are integers); numeric: must parse as a number (standardised); text: free text kept as a string; id: an identifier kept with each row for joins and scoring output, never a model input; timestamp: a date or epoch seconds/ms, used as epoch milliseconds; ignore: dropped at ingest',
  );
export type ColumnType = z.infer<typeof columnTypeSchema>;
export const COLUMN_TYPES = columnTypeSchema.options;

/** Source column → declared type (tabular). */
export const columnTypesSchema = z
  .record(z.string().min(1), columnTypeSchema)
  .describe('tabular: source column → how it is used; undeclared columns are inferred');
export type ColumnTypes = z.infer<typeof columnTypesSchema>;

export const columnRuleSchema = z.object({
  name: z.string().describe('the source column'),
  type: z.enum(['number', 'string']).optional().describe('the type every value must have'),
  required: z.boolean().optional().describe('whether an empty value is invalid'),
  unique: z.boolean().optional().describe('whether values must be distinct'),
  min: z.number().optional().describe('smallest valid value'),
  max: z.number().optional().describe('largest valid value'),
});
export type ColumnRule = z.infer<typeof columnRuleSchema>;

/** An explicit schema: rules that override or add to what is inferred. */
export const explicitSchemaSchema = z.object({
  columns: z.array(columnRuleSchema).default([]).describe('rules per column'),
  labels: z
    .array(z.string())
    .optional()
    .describe('allowed label (or categorical target) values; others are `unknown_label`'),
  image: z
    .object({
      width: z.number().int().positive().describe('pixels'),
      height: z.number().int().positive().describe('pixels'),
      channels: z.number().int().positive().describe('1: greyscale, 3: RGB'),
    })
    .optional()
    .describe('the image size every image must have'),
});
export type ExplicitSchema = z.infer<typeof explicitSchemaSchema>;

export const piiActionSchema = z
  .enum(['hash', 'remove', 'generalise'])
  .describe('hash: HMAC-SHA256 with the salt (ids stay joinable); remove; generalise');
export type PiiAction = z.infer<typeof piiActionSchema>;

export const piiSpecSchema = z.object({
  columns: z.record(z.string(), piiActionSchema).default({}).describe('source column → action'),
  scanText: z
    .boolean()
    .default(true)
    .describe('replace emails and phone numbers found in free-text fields by pattern'),
  /**
   * Secret salt for `hash`; else the salt the ingest is configured with (the workers'
   * LATHE_PII_SALT); a hash policy without either is refused (`pii_salt_required`). Kept stable
   * so re-ingests dedupe. For direct library calls only: a stored spec (an experiment's source,
   * a run's) must not carry it, since secrets are never stored.
   */
  salt: z.string().min(8).optional().describe('library calls only: the salt of `hash` (never stored)'),
});
export type PiiSpec = z.infer<typeof piiSpecSchema>;

/**
 * Differential privacy by perturbation at ingest (local DP: each record's value is noised before
 * anything is written). ε is per column and per record; a version's ε is their sum (sequential
 * composition, Dwork, McSherry, Nissim & Smith 2006), spent from the dataset's budget.
 */
export const laplaceColumnSchema = z.object({
  mechanism: z.literal('laplace').describe('Laplace noise on a numeric column'),
  epsilon: z.number().positive().max(100).describe('ε of this column per record'),
  /** Clipping bounds: values are clipped into [lower, upper]; the noise scale is (upper − lower)/ε. */
  lower: z.number().describe('values are clipped to at least this'),
  upper: z.number().describe('values are clipped to at most this'),
});
export const randomisedResponseColumnSchema = z.object({
  mechanism: z.literal('randomised-response').describe('randomised response on a categorical column'),
  epsilon: z.number().positive().max(100).describe('ε of this column per record'),
  categories: z
    .array(z.string())
    .min(2)
    .max(1000)
    .describe('every value the column may take, declared (a domain read from the data would leak it)'),
});
export const perturbationSchema = z.discriminatedUnion('mechanism', [
  laplaceColumnSchema,
  randomisedResponseColumnSchema,
]);
export type Perturbation = z.infer<typeof perturbationSchema>;

export const privacySpecSchema = z.object({
  columns: z
    .record(z.string(), perturbationSchema)
    .default({})
    .describe('source column → its mechanism and ε'),
  budget: z
    .object({ epsilon: z.number().positive().max(1000).describe('the total ε') })
    .optional()
    .describe(
      "the dataset's total ε, fixed by its first perturbed version; required when columns are perturbed",
    ),
  quasiIdentifiers: z
    .array(z.string())
    .max(20)
    .default([])
    .describe('columns that together could identify a person: the profile reports k-anonymity over them'),
  k: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(5)
    .describe('the k the profile checks (every combination of quasi-identifiers held by ≥ k rows)'),
});
export type PrivacySpec = z.infer<typeof privacySpecSchema>;

export const splitSpecSchema = z
  .object({
    strategy: z
      .enum(['random', 'stratified', 'time', 'leave-last-n-out'])
      .default('random')
      .describe('how rows are split'),
    fractions: z
      .object({
        train: z.number().min(0).max(1).describe('share of rows to train on'),
        validation: z.number().min(0).max(1).describe('share of rows to validate on'),
        test: z.number().min(0).max(1).describe('share of rows held out for evaluation'),
      })
      .default({ train: 0.8, validation: 0.1, test: 0.1 })
      .describe('shares summing to 1'),
    seed: z.number().int().default(42).describe('seed of the split'),
    n: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe(
        'leave-last-n-out: the last n interactions of each user go to test, the n before to validation',
      ),
  })
  .refine((s) => Math.abs(s.fractions.train + s.fractions.validation + s.fractions.test - 1) < 1e-9, {
    message: 'split fractions must sum to 1',
    path: ['fractions'],
  });
export type SplitSpec = z.infer<typeof splitSpecSchema>;

export const ingestSpecSchema = z.object({
  useCase: useCaseSchema,
  source: sourceSchema,
  schema: explicitSchemaSchema.optional().describe('rules that override or add to what is inferred'),
  columnMap: columnMapSchema.optional(),
  columnTypes: columnTypesSchema.optional(),
  pii: piiSpecSchema.optional().describe('PII masking'),
  privacy: privacySpecSchema.optional().describe('differential privacy by perturbation at ingest'),
  invalidRows: z
    .enum(['fail', 'drop'])
    .default('fail')
    .describe('fail: refuse the data on the first invalid value; drop: skip such rows, counted'),
  split: splitSpecSchema
    .default({
      strategy: 'random',
      fractions: { train: 0.8, validation: 0.1, test: 0.1 },
      seed: 42,
      n: 1,
    })
    .describe('the seeded train/validation/test split'),
  maxErrors: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(20)
    .describe('how many issues are listed in errors (the total is always counted)'),
  maxLineBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe('longest accepted line/record, in bytes (a guard against a file with no line breaks)'),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('stop after this many source records (previews, tests)'),
  profile: z
    .object({
      sampleSize: z
        .number()
        .int()
        .positive()
        .max(100_000)
        .default(2000)
        .describe('rows sampled for the profile'),
    })
    .default({ sampleSize: 2000 })
    .describe('how the profile is computed'),
});
export type IngestSpec = z.infer<typeof ingestSpecSchema>;
export type IngestSpecInput = z.input<typeof ingestSpecSchema>;

/*
 * What an experiment stores as its `source`: either a bare source (`{ kind: 'sample', name:
 * 'mnist' }`) or an ingest spec without the use case (`{ source, split, pii, schema, … }`).
 * The use case always comes from the experiment. Upload streams cannot be stored, so the
 * `stream` kind is not accepted here (uploads go through the API's dataset-version route).
 * It holds no secret: a Postgres source names a connection whose URL is in the ingest workers'
 * environment (docs/connections.md).
 */
// filter() loses the tuple type discriminatedUnion needs; the options are the source kinds above.
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
  ingestSpecSchema
    .omit({ useCase: true })
    .extend({ source: storedSourceSchema.describe('where the data is') }),
]);
