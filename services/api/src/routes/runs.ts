/**
 * Runs: start (idempotent with Idempotency-Key), list with filters, get, cancel, retry from the
 * failed stage, metrics history, a log of what happened, and live progress as SSE.
 */
import { z } from 'zod';
import { runReproductionSchema, storedIngestSpecSchema, trainingOutcomeSchema } from '@lathe/contract';
import { getExperiment, getRun, getRunWithStages, listRunMetrics } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { anyObject, idParams, pageOf, paginationQuery } from '../openapi/common-schemas.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate, sortOrder } from '../pagination.ts';
import { acceptAnyHyperparameters, hyperparameterChecker } from '../hyperparameters.ts';
import { HttpProblem } from '@lathe/core';
import { streamRunEvents } from '../run-events.ts';
import { runLog } from '../run-log.ts';

const runStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const stage = z.enum(['ingest', 'train', 'evaluate', 'deploy']);
const stageSchema = z.object({
  stage,
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']),
  attempts: z.number().int(),
  progress: z.number(),
  cacheHit: z.boolean(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});
const runSchema = z
  .object({
    id: z.uuid(),
    experimentId: z.uuid(),
    status: runStatus,
    stage: stage.nullable(),
    progress: z.number(),
    trigger: z.enum(['manual', 'api', 'schedule', 'retry']),
    seed: z.number().int(),
    params: anyObject,
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    errorStage: stage.nullable(),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    stages: z.array(stageSchema).optional(),
    backendInfo: z
      .object({
        name: z.string(),
        version: z.string(),
        threads: z.number().int(),
        deterministic: z.boolean().optional(),
        reason: z.string().optional(),
      })
      .nullable()
      .optional()
      .describe(
        'what the run trained on: the tfjs backend, its version and threads, and whether it computes the same bits every time (why not, if not)',
      ),
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
  .meta({ id: 'Run' });

const startBody = z.strictObject({
  params: z
    .strictObject({
      hyperparameters: anyObject,
      /** The experiment's own source schema: a named connection, never credentials. */
      source: storedIngestSpecSchema,
    })
    .partial()
    .optional()
    .describe('per-run overrides of the experiment'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  cache: z.boolean().optional().describe('false: recompute every stage'),
  trigger: z.enum(['manual', 'api']).default('api'),
});

const idempotencyHeader = z.object({
  'idempotency-key': z.string().max(200).optional().describe('the same key returns the run created first'),
});

export function registerRunRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry, pipeline } = deps;
  // Per-run overrides are checked merged over the experiment's, before anything is queued.
  const checkHyperparameters = hyperparameterChecker(
    deps.validateHyperparameters ?? acceptAnyHyperparameters,
    'body.params.',
  );

  routes.add({
    method: 'post',
    path: '/experiments/:id/runs',
    summary: 'Start a run of an experiment (Idempotency-Key: the same key returns the same run)',
    tag: 'runs',
    params: idParams,
    headers: idempotencyHeader,
    body: startBody,
    status: 201,
    response: runSchema,
    handler: async ({ req, res, params, body }) => {
      const experiment = await getExperiment(registry, params.id);
      if (experiment.archivedAt) {
        throw new HttpProblem(
          409,
          'experiment_archived',
          `experiment ${experiment.name} is archived; restore it (PATCH archived: false) before starting runs`,
        );
      }
      if (body.params?.hyperparameters) {
        checkHyperparameters(experiment.modelFamily, {
          ...(experiment.hyperparameters as Record<string, unknown>),
          ...body.params.hyperparameters,
        });
      }
      const idempotencyKey = req.get('idempotency-key');
      if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
        throw new HttpProblem(
          422,
          'validation_failed',
          'headers.idempotency-key: 1 to 200 printable ASCII characters',
          [{ field: 'headers.idempotency-key', message: '1 to 200 printable ASCII characters' }],
        );
      }
      // Scoped by experiment so two experiments cannot collide on a client's key.
      const scopedKey = idempotencyKey ? `${params.id}:${idempotencyKey}` : undefined;
      const existing = scopedKey
        ? await registry.run.findUnique({ where: { idempotencyKey: scopedKey } })
        : null;
      if (existing) {
        res.locals.status = 200;
        res.set('Idempotent-Replayed', 'true');
        return getRunWithStages(registry, existing.id);
      }
      const run = await pipeline.startRun({
        experimentId: params.id,
        trigger: body.trigger,
        ...(body.params ? { params: body.params } : {}),
        ...(scopedKey ? { idempotencyKey: scopedKey } : {}),
        ...(body.seed !== undefined ? { seed: body.seed } : {}),
        ...(body.cache !== undefined ? { cache: body.cache } : {}),
      });
      await audit(registry, req, { action: 'run.start', entity: 'run', entityId: run.id, after: run });
      res.location(`/runs/${run.id}`);
      return getRunWithStages(registry, run.id);
    },
  });

  routes.add({
    method: 'get',
    path: '/runs',
    summary: 'List runs, filtered by experiment, status, trigger or schedule',
    tag: 'runs',
    query: paginationQuery.extend({
      experimentId: z.uuid().optional(),
      scheduleId: z.uuid().optional(),
      status: runStatus.optional(),
      trigger: z.enum(['manual', 'api', 'schedule', 'retry']).optional(),
      sort: z.enum(['queuedAt', '-queuedAt', 'finishedAt', '-finishedAt']).default('-queuedAt'),
    }),
    response: pageOf(runSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.run.findMany({
          where: {
            ...(query.experimentId ? { experimentId: query.experimentId } : {}),
            ...(query.scheduleId ? { scheduleId: query.scheduleId } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.trigger ? { trigger: query.trigger } : {}),
          },
          orderBy: sortOrder(query.sort),
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/runs/:id',
    summary: 'Get a run with its stages',
    tag: 'runs',
    params: idParams,
    response: runSchema,
    handler: async ({ params }) => getRunWithStages(registry, params.id),
  });

  routes.add({
    method: 'post',
    path: '/runs/:id/cancel',
    summary: 'Cancel a run (a running stage stops at its next epoch/batch boundary)',
    tag: 'runs',
    params: idParams,
    response: runSchema,
    handler: async ({ req, params }) => {
      const before = await getRun(registry, params.id);
      const run = await pipeline.cancelRun(params.id);
      await audit(registry, req, {
        action: 'run.cancel',
        entity: 'run',
        entityId: run.id,
        before,
        after: run,
      });
      return getRunWithStages(registry, run.id);
    },
  });

  routes.add({
    method: 'post',
    path: '/runs/:id/retry',
    summary: 'Retry a failed run from the stage that failed',
    tag: 'runs',
    params: idParams,
    response: z.object({ run: runSchema, fromStage: stage }),
    handler: async ({ req, params }) => {
      const before = await getRun(registry, params.id);
      const { run, fromStage } = await pipeline.retryRun(params.id);
      await audit(registry, req, {
        action: 'run.retry',
        entity: 'run',
        entityId: run.id,
        before,
        after: { ...run, fromStage },
      });
      return { run: await getRunWithStages(registry, run.id), fromStage };
    },
  });

  routes.add({
    method: 'post',
    path: '/runs/:id/reproduce',
    summary:
      "Retrain a run from its model version's recorded family, hyperparameters and seed on its dataset version, and compare the weights tensor by tensor",
    tag: 'runs',
    params: idParams,
    response: runReproductionSchema,
    handler: async ({ req, params }) => {
      await getRun(registry, params.id);
      if (deps.reproduceRun === undefined)
        throw new HttpProblem(
          501,
          'reproduce_unavailable',
          'this API process was started without an artifact store to retrain from',
        );
      const reproduction = await deps.reproduceRun(params.id);
      await audit(registry, req, {
        action: 'run.reproduce',
        entity: 'run',
        entityId: params.id,
        after: { verdict: reproduction.verdict, weights: reproduction.weights },
      });
      return reproduction;
    },
  });

  routes.add({
    method: 'get',
    path: '/runs/:id/metrics',
    summary: 'Metric history of a run (per epoch/step)',
    tag: 'runs',
    params: idParams,
    query: z.object({ name: z.string().max(100).optional() }),
    response: z.object({
      runId: z.uuid(),
      series: z.record(z.string(), z.array(z.object({ step: z.number().int(), value: z.number() }))),
    }),
    handler: async ({ params, query }) => {
      await getRun(registry, params.id);
      const points = await listRunMetrics(registry, params.id, query.name);
      const series: Record<string, Array<{ step: number; value: number }>> = {};
      for (const point of points) (series[point.name] ??= []).push({ step: point.step, value: point.value });
      return { runId: params.id, series };
    },
  });

  routes.add({
    method: 'get',
    path: '/runs/:id/logs',
    summary: 'What happened to a run, in order: queued, stage attempts, cache hits, errors',
    tag: 'runs',
    params: idParams,
    response: z.object({
      runId: z.uuid(),
      entries: z.array(
        z.object({
          at: z.string(),
          level: z.enum(['info', 'error']),
          stage: stage.nullable(),
          message: z.string(),
        }),
      ),
    }),
    handler: async ({ params }) => ({
      runId: params.id,
      entries: runLog(await getRunWithStages(registry, params.id)),
    }),
  });

  routes.add({
    method: 'get',
    path: '/runs/:id/events',
    summary: 'Live progress as server-sent events: `run` (status, stages), `metric` (new points), `end`',
    tag: 'runs',
    params: idParams,
    responseType: 'text/event-stream',
    response: z.string(),
    handler: async ({ req, res, params }) => {
      await streamRunEvents(registry, params.id, req, res, deps.config.eventPollMs);
      return undefined;
    },
  });
}
