/**
 * Runs: start (idempotent with Idempotency-Key), list with filters, get, cancel, retry from the
 * failed stage, metrics history, a log of what happened, and live progress as SSE.
 */
import { z } from 'zod';
import {
  idempotencyHeader,
  idParams,
  listRunsQuery,
  pageOf,
  retriedRunSchema,
  runLogSchema,
  runMetricsQuery,
  runMetricsSchema,
  runReproductionSchema,
  runSchema,
  startRunBody,
} from '@lathe/contract';
import { getExperiment, getRun, getRunWithStages, listRunMetrics } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate, sortOrder } from '../pagination.ts';
import { acceptAnyHyperparameters, hyperparameterChecker } from '../hyperparameters.ts';
import { HttpProblem } from '@lathe/core';
import { streamRunEvents } from '../run-events.ts';
import { runLog } from '../run-log.ts';

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
    body: startRunBody,
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
    query: listRunsQuery,
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
    response: retriedRunSchema,
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
    query: runMetricsQuery,
    response: runMetricsSchema,
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
    response: runLogSchema,
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
