/** Batch scoring: a model version scores a dataset version or an uploaded file in the background. */
import { z } from 'zod';
import { timestamp, uuid } from './common.ts';

export const scoringFormatSchema = z
  .enum(['csv', 'jsonl'])
  .describe('the output artifact: CSV with a header, or JSON Lines');

const keyColumnsSchema = z
  .array(z.string().min(1).max(200))
  .max(20)
  .describe(
    'input columns copied beside the scores (customer ids); default: the dataset version’s id columns, none for a file',
  );

export const scoreDatasetBodySchema = z.strictObject({
  datasetVersionId: uuid.describe('the dataset version whose rows (every split) are scored'),
  format: scoringFormatSchema.default('csv'),
  keyColumns: keyColumnsSchema.default([]),
});

export const scoreFileQuerySchema = z.object({
  format: z
    .enum(['csv', 'jsonl'])
    .optional()
    .describe('the body format (default: from the Content-Type, text/csv or application/x-ndjson)'),
  output: scoringFormatSchema.default('csv'),
  keys: z
    .string()
    .max(2000)
    .optional()
    .describe('comma-separated input columns copied beside the scores, e.g. CUSTOMER_ID'),
  fileName: z.string().max(500).optional().describe('your name for the file, used in messages'),
});

export const evaluateDatasetBodySchema = z.strictObject({
  datasetVersionId: uuid.describe(
    'any dataset version with the columns the model reads (a hold-out of your own)',
  ),
  split: z
    .enum(['all', 'train', 'validation', 'test'])
    .default('all')
    .describe('which rows of it: all of them (a hold-out), or one of its splits'),
});

export const scoringJobSchema = z
  .object({
    id: uuid.describe('the scoring job'),
    kind: z
      .enum(['scores', 'evaluation'])
      .describe('scores: an output file of scores; evaluation: an Evaluation of the rows'),
    split: z.string().nullable().describe('evaluations: the rows evaluated (all, train, validation or test)'),
    evaluationId: uuid
      .nullable()
      .describe('evaluations: the Evaluation recorded, once succeeded (GET /evaluations/:id)'),
    modelVersionId: uuid.describe('the model version that scores'),
    datasetVersionId: uuid.nullable().describe('the dataset version scored, or null for an uploaded file'),
    inputName: z.string().nullable().describe('the uploaded file’s name, when a file is scored'),
    format: scoringFormatSchema,
    keyColumns: z.array(z.string()).describe('input columns copied beside the scores'),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']).describe('where the job is'),
    rowsTotal: z.number().int().nullable().describe('rows to score, when known in advance'),
    rowsScored: z.number().int().describe('rows scored so far'),
    progress: z.number().nullable().describe('rowsScored / rowsTotal, when the total is known'),
    outputSha256: z.string().nullable().describe('sha256 of the output artifact, once succeeded'),
    downloadUrl: z.string().nullable().describe('where to GET the output, once succeeded'),
    errorCode: z.string().nullable().describe('why it failed: a stable code'),
    errorMessage: z.string().nullable().describe('why it failed, in words'),
    createdAt: timestamp.describe('when it was requested'),
    finishedAt: timestamp.nullable().describe('when it succeeded or failed'),
  })
  .meta({ id: 'ScoringJob' });

export type ScoringJobResource = z.infer<typeof scoringJobSchema>;
