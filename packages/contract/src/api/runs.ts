/**
 * Runs: one pass of an experiment's pipeline (ingest → train → evaluate → deploy), its stages,
 * metric history and log.
 */
import { z } from 'zod';
import { storedIngestSpecSchema } from '../ingest-spec.ts';
import { trainingOutcomeSchema } from '../training-outcome.ts';
import { anyObject, paginationQuery, timestamp } from './common.ts';

export const runStatusSchema = z
  .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .describe('where the run is in its life');
export const runStageSchema = z.enum(['ingest', 'train', 'evaluate', 'deploy']).describe('a pipeline stage');
export const stageStatusSchema = z
  .enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'])
  .describe('where the stage is');
export const runTriggerSchema = z
  .enum(['manual', 'api', 'schedule', 'retry'])
  .describe('what started the run');

export const stageExecutionSchema = z.object({
  stage: runStageSchema,
  status: stageStatusSchema,
  attempts: z.number().int().describe('attempts made'),
  progress: z.number().describe('0..1'),
  cacheHit: z.boolean().describe('whether an earlier output for the same inputs was reused'),
  errorCode: z.string().nullable().describe('the stable code of its last error'),
  errorMessage: z.string().nullable().describe('its last error, in words'),
  startedAt: timestamp.nullable().optional().describe('when its first attempt started'),
  finishedAt: timestamp.nullable().optional().describe('when it finished'),
});

export const runBackendSchema = z
  .object({
    name: z.string().describe('the tfjs backend, e.g. `wasm`'),
    version: z.string().describe('its version'),
    threads: z.number().int().describe('threads it used'),
    deterministic: z.boolean().optional().describe('whether it computes the same bits every time'),
    reason: z.string().optional().describe('why not, if not'),
  })
  .describe(
    'what the run trained on: the tfjs backend, its version and threads, and whether it computes the same bits every time (why not, if not)',
  );

export const runSchema = z
  .object({
    id: z.uuid().describe('the run id'),
    experimentId: z.uuid().describe('the experiment it runs'),
    status: runStatusSchema,
    stage: runStageSchema.nullable().describe('the stage it is in; null before the first'),
    progress: z.number().describe('0..1 over all stages'),
    trigger: runTriggerSchema,
    seed: z.number().int().describe('the seed of its split and training'),
    params: anyObject.describe('its per-run overrides of the experiment'),
    errorCode: z.string().nullable().describe('the stable code of the error that failed it'),
    errorMessage: z.string().nullable().describe('that error, in words'),
    errorStage: runStageSchema.nullable().describe('the stage that failed'),
    queuedAt: timestamp.describe('when it was queued'),
    startedAt: timestamp.nullable().describe('when its first stage started'),
    finishedAt: timestamp.nullable().describe('when it finished'),
    stages: z.array(stageExecutionSchema).optional().describe('its stages, in pipeline order'),
    backendInfo: runBackendSchema.nullable().optional(),
    lockfileSha256: z
      .string()
      .nullable()
      .optional()
      .describe('sha256 of the workspace lockfile the train worker ran with'),
    trainingOutcome: trainingOutcomeSchema
      .nullable()
      .optional()
      .describe(
        'after training: the epoch whose weights were kept and why, the overfitting flag, the decision threshold',
      ),
  })
  .meta({ id: 'Run', description: "one pass of an experiment's pipeline" });

export const startRunBody = z.strictObject({
  params: z
    .strictObject({
      hyperparameters: anyObject.describe("overrides of the experiment's hyperparameters"),
      source: storedIngestSpecSchema.describe(
        "instead of the experiment's source: a source or a source with ingest settings (a named connection, never credentials)",
      ),
    })
    .partial()
    .optional()
    .describe('per-run overrides of the experiment'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional()
    .describe('the seed of the split and training; default random'),
  cache: z.boolean().optional().describe('false: recompute every stage'),
  trigger: z
    .enum(['manual', 'api'])
    .default('api')
    .describe('manual: a person (CLI, dashboard); api: a program'),
});

export const idempotencyHeader = z.object({
  'idempotency-key': z.string().max(200).optional().describe('the same key returns the run created first'),
});

export const listRunsQuery = paginationQuery.extend({
  experimentId: z.uuid().optional().describe('only runs of this experiment'),
  scheduleId: z.uuid().optional().describe('only runs this schedule started'),
  status: runStatusSchema.optional(),
  trigger: runTriggerSchema.optional(),
  sort: z
    .enum(['queuedAt', '-queuedAt', 'finishedAt', '-finishedAt'])
    .default('-queuedAt')
    .describe('order; `-` descending'),
});

export const retriedRunSchema = z.object({
  run: runSchema.describe('the run, queued again'),
  fromStage: runStageSchema.describe('the stage it goes on from'),
});

export const runMetricsQuery = z.object({
  name: z.string().max(100).optional().describe('only this metric'),
});
export const metricPointSchema = z.object({
  step: z.number().int().describe('the epoch or step'),
  value: z.number().describe('the value'),
});
export const runMetricsSchema = z.object({
  runId: z.uuid().describe('the run'),
  series: z
    .record(z.string(), z.array(metricPointSchema))
    .describe('metric name → its points, in step order'),
});

export const runLogSchema = z.object({
  runId: z.uuid().describe('the run'),
  entries: z
    .array(
      z.object({
        at: timestamp.describe('when'),
        level: z.enum(['info', 'error']).describe('info or error'),
        stage: runStageSchema.nullable().describe('the stage it is about'),
        message: z.string().describe('what happened'),
      }),
    )
    .describe('in order: queued, stage attempts, cache hits, errors'),
});

/**
 * GET /runs/:id/events, server-sent events: `run` carries this snapshot whenever it changes,
 * `metric` each new point, `end` the final status.
 */
export const runSnapshotSchema = runSchema
  .pick({ id: true, status: true, stage: true, progress: true, errorCode: true, errorMessage: true })
  .extend({
    stages: z
      .array(
        stageExecutionSchema.pick({
          stage: true,
          status: true,
          progress: true,
          attempts: true,
          cacheHit: true,
        }),
      )
      .describe('its stages, in pipeline order'),
  });
export const runMetricEventSchema = z.object({
  name: z.string().describe('the metric'),
  step: z.number().int().describe('the epoch or step'),
  value: z.number().describe('the value'),
});
export const runEndEventSchema = z.object({ status: runStatusSchema });

export type RunSnapshot = z.infer<typeof runSnapshotSchema>;
export type RunMetricEvent = z.infer<typeof runMetricEventSchema>;
export type RunEndEvent = z.infer<typeof runEndEventSchema>;
export type RunStatus = z.infer<typeof runStatusSchema>;
export type StageStatus = z.infer<typeof stageStatusSchema>;
export type RunTrigger = z.infer<typeof runTriggerSchema>;
export type StageExecution = z.infer<typeof stageExecutionSchema>;
export type Run = z.infer<typeof runSchema>;
export type MetricPoint = z.infer<typeof metricPointSchema>;
export type RunMetrics = z.infer<typeof runMetricsSchema>;
export type RetriedRun = z.infer<typeof retriedRunSchema>;
