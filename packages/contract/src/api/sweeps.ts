/** Hyperparameter sweeps: a parent with one child run per trial, ranked by a validation metric. */
import { z } from 'zod';
import { timestamp, uuid } from './common.ts';

export const startSweepBodySchema = z.strictObject({
  space: z
    .record(z.string(), z.unknown())
    .describe(
      '{strategy: "grid", parameters: {name: [values]}} or {strategy: "random", parameters: {name: [values] | {min, max, log, integer}}, trials, seed}',
    ),
  metric: z
    .string()
    .min(1)
    .default('valLoss')
    .describe('the validation metric trials are ranked by, at each run’s kept epoch (valLoss, valAccuracy…)'),
  direction: z
    .enum(['min', 'max'])
    .optional()
    .describe('whether lower or higher is better (default: min for losses and errors, else max)'),
  folds: z
    .number()
    .int()
    .min(2)
    .max(10)
    .optional()
    .describe(
      'k-fold cross-validation on the training split: k runs per trial, ranked by the mean of their validation metric',
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
    .describe('the training seed of every trial, so trials differ only in their hyperparameters'),
});

export const sweepTrialSchema = z.object({
  runId: uuid.describe('the child run (with folds: the first fold’s)'),
  runIds: z.array(uuid).describe('every run of the trial: one per fold'),
  foldValues: z
    .array(z.number().nullable())
    .describe('the ranking metric of each fold’s run at its kept epoch; one value without folds'),
  modelVersionId: uuid.nullable().describe('the model version the run trained, once trained'),
  status: z.string().describe('the run’s status'),
  hyperparameters: z
    .record(z.string(), z.unknown())
    .describe('the trial’s hyperparameters, over the experiment’s'),
  keptEpoch: z.number().int().nullable().describe('the epoch whose weights the run kept'),
  value: z
    .number()
    .nullable()
    .describe('the ranking metric at the kept epoch (with folds: their mean); null until every run trained'),
  rank: z.number().int().nullable().describe('1 is best; null until the run has a value'),
  errorCode: z
    .string()
    .nullable()
    .describe('why the run failed, if it did (gate_failed: trained, but below the gate)'),
});

export const sweepSchema = z
  .object({
    id: uuid.describe('the sweep'),
    experimentId: uuid.describe('the experiment swept'),
    space: z.record(z.string(), z.unknown()).describe('the search space as requested'),
    metric: z.string().describe('the ranking metric'),
    folds: z.number().int().describe('runs per trial: the k of k-fold cross-validation, 1 without'),
    direction: z.enum(['min', 'max']).describe('min: lower is better'),
    status: z.enum(['running', 'finished']).describe('running while any trial is queued or running'),
    trials: z.array(sweepTrialSchema).describe('the trials, best first'),
    best: sweepTrialSchema.nullable().describe('the best ranked trial so far'),
    promotedRunId: uuid.nullable().describe('the trial promoted to the experiment’s hyperparameters'),
    promotedAt: timestamp.nullable().describe('when it was promoted'),
    createdAt: timestamp.describe('when the sweep started'),
  })
  .meta({ id: 'Sweep' });

export const promoteSweepBodySchema = z.strictObject({
  runId: uuid.optional().describe('the trial to promote (default: the best ranked)'),
});

export const sweepListSchema = z.object({ items: z.array(sweepSchema).describe('the sweeps') });

export type SweepResource = z.infer<typeof sweepSchema>;
export type SweepTrial = z.infer<typeof sweepTrialSchema>;
