/**
 * Hyperparameter sweeps: start one (a grid or a seeded random search over the experiment's
 * family's hyperparameters; one ordinary run per trial, through the same queues and stage cache,
 * never deployed), read its trials ranked by a validation metric at each run's kept epoch, and
 * promote the best to the experiment's hyperparameters.
 */
import {
  idParams,
  promoteSweepBodySchema,
  startSweepBodySchema,
  sweepListSchema,
  sweepSchema,
  type SweepResource,
  type SweepTrial,
  type TrainingOutcome,
} from '@lathe/contract';
import { HttpProblem } from '@lathe/core';
import { crossValidatedValue, metricMode, rankTrials, sweepTrials } from '@lathe/ml';
import {
  type Json,
  type SweepWithRuns,
  assignRunsToSweep,
  createSweep,
  epochMetricValues,
  getExperiment,
  getSweep,
  listSweeps,
  promoteSweepTrial,
  type Registry,
  trainingSources,
} from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { acceptAnyHyperparameters, hyperparameterChecker } from '../hyperparameters.ts';
import type { RouteTable } from '../openapi/route-table.ts';

function trialHyperparameters(params: unknown): Record<string, unknown> {
  return ((params as { hyperparameters?: Record<string, unknown> } | null)?.hyperparameters ?? {}) as Record<
    string,
    unknown
  >;
}

export async function sweepResource(registry: Registry, sweep: SweepWithRuns): Promise<SweepResource> {
  const direction = sweep.direction as 'min' | 'max';
  const sources = await trainingSources(
    registry,
    sweep.runs.map((r) => r.id),
  );
  const values = await epochMetricValues(
    registry,
    [...new Set([...sources.values()].map((t) => t.sourceRunId))],
    sweep.metric,
  );
  const runValue = (runId: string) => {
    // A run whose training came from the stage cache reads the run that trained the model.
    const source = sources.get(runId);
    const outcome = (source?.trainingOutcome ?? null) as TrainingOutcome | null;
    const keptEpoch = outcome?.keptEpoch ?? null;
    const value =
      outcome?.monitor === sweep.metric && outcome.monitorValue !== null
        ? outcome.monitorValue
        : keptEpoch !== null && source
          ? (values.get(source.sourceRunId)?.get(keptEpoch) ?? null)
          : null;
    return { keptEpoch, value, modelVersionId: source?.modelVersionId ?? null };
  };
  // The runs of one trial (one per fold) share its index; sweeps without folds have one run each.
  const params = (run: SweepWithRuns['runs'][number]) =>
    (run.params ?? {}) as { trial?: number; fold?: { k: number } };
  const folds = sweep.runs.length > 0 ? (params(sweep.runs[0]!).fold?.k ?? 1) : 1;
  const groups = new Map<number, SweepWithRuns['runs']>();
  sweep.runs.forEach((run, i) => {
    const key = params(run).trial ?? i;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  });
  const trials = rankTrials(
    [...groups.values()].map((runs) => {
      const first = runs[0]!;
      const perRun = runs.map((r) => runValue(r.id));
      const foldValues = perRun.map((r) => r.value);
      return {
        runId: first.id,
        runIds: runs.map((r) => r.id),
        modelVersionId: perRun[0]!.modelVersionId,
        status: runs.find((r) => r.status !== 'succeeded')?.status ?? 'succeeded',
        hyperparameters: trialHyperparameters(first.params),
        keptEpoch: perRun[0]!.keptEpoch,
        foldValues,
        value: folds > 1 ? crossValidatedValue(foldValues, folds) : (foldValues[0] ?? null),
        errorCode: runs.find((r) => r.errorCode !== null)?.errorCode ?? null,
      };
    }),
    direction,
  );
  const running = sweep.runs.some((r) => r.status === 'queued' || r.status === 'running');
  return {
    id: sweep.id,
    experimentId: sweep.experimentId,
    space: sweep.space as Record<string, unknown>,
    metric: sweep.metric,
    folds,
    direction,
    status: running ? 'running' : 'finished',
    trials: trials as SweepTrial[],
    best: (trials.find((t) => t.rank === 1) as SweepTrial | undefined) ?? null,
    promotedRunId: sweep.promotedRunId,
    promotedAt: sweep.promotedAt?.toISOString() ?? null,
    createdAt: sweep.createdAt.toISOString(),
  };
}

export function registerSweepRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry, pipeline } = deps;
  const checkHyperparameters = hyperparameterChecker(
    deps.validateHyperparameters ?? acceptAnyHyperparameters,
    'body.space.',
  );

  routes.add({
    method: 'post',
    path: '/experiments/:id/sweeps',
    summary:
      'Start a hyperparameter sweep: one run per trial of a grid or seeded random search, run in parallel through the queues (cache intact) and never deployed',
    tag: 'sweeps',
    params: idParams,
    body: startSweepBodySchema,
    status: 201,
    response: sweepSchema,
    handler: async ({ req, params, body }) => {
      const experiment = await getExperiment(registry, params.id);
      if (experiment.archivedAt)
        throw new HttpProblem(
          409,
          'experiment_archived',
          `experiment ${experiment.name} is archived; restore it first`,
        );
      const trials = sweepTrials(body.space as never);
      trials.forEach((trial, i) => {
        try {
          checkHyperparameters(experiment.modelFamily, {
            ...(experiment.hyperparameters as Record<string, unknown>),
            ...trial,
          });
        } catch (error) {
          if (error instanceof HttpProblem)
            throw new HttpProblem(
              422,
              error.code,
              `trial ${i + 1} (${JSON.stringify(trial)}): ${error.message}`,
            );
          throw error;
        }
      });
      const sweep = await createSweep(registry, {
        experimentId: experiment.id,
        space: body.space as Json,
        metric: body.metric,
        direction: metricMode(body.metric, body.direction),
      });
      const runIds: string[] = [];
      const k = body.folds ?? 1;
      for (const [index, trial] of trials.entries()) {
        for (let fold = 0; fold < k; fold++) {
          const run = await pipeline.startRun({
            experimentId: experiment.id,
            trigger: 'api',
            seed: body.seed,
            params: {
              hyperparameters: trial,
              sweepId: sweep.id,
              trial: index,
              ...(k > 1 ? { fold: { k, index: fold } } : {}),
            },
          });
          runIds.push(run.id);
        }
      }
      await assignRunsToSweep(registry, sweep.id, runIds);
      await audit(registry, req, {
        action: 'sweep.start',
        entity: 'sweep',
        entityId: sweep.id,
        after: sweep,
      });
      return sweepResource(registry, await getSweep(registry, sweep.id));
    },
  });

  routes.add({
    method: 'get',
    path: '/sweeps/:id',
    summary:
      'A sweep: its trials ranked by the validation metric at each run’s kept epoch, and the best so far',
    tag: 'sweeps',
    params: idParams,
    response: sweepSchema,
    handler: async ({ params }) => sweepResource(registry, await getSweep(registry, params.id)),
  });

  routes.add({
    method: 'get',
    path: '/experiments/:id/sweeps',
    summary: 'The sweeps of an experiment, newest first (the latest 100)',
    tag: 'sweeps',
    params: idParams,
    response: sweepListSchema,
    handler: async ({ params }) => {
      await getExperiment(registry, params.id);
      const sweeps = await listSweeps(registry, params.id);
      return {
        items: await Promise.all(
          sweeps.map(async (s) => sweepResource(registry, await getSweep(registry, s.id))),
        ),
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/sweeps/:id/promote',
    summary:
      "Promote a trial (default: the best) to the experiment's hyperparameters; the next run trains with them",
    tag: 'sweeps',
    params: idParams,
    body: promoteSweepBodySchema,
    response: sweepSchema,
    handler: async ({ req, params, body }) => {
      const resource = await sweepResource(registry, await getSweep(registry, params.id));
      const trial = body.runId ? resource.trials.find((t) => t.runId === body.runId) : resource.best;
      if (!trial)
        throw new HttpProblem(
          body.runId ? 404 : 409,
          body.runId ? 'not_found' : 'sweep_not_ranked',
          body.runId
            ? `run ${body.runId} is not a trial of sweep ${resource.id}`
            : `sweep ${resource.id} has no trained trial yet; wait for one (GET /sweeps/${resource.id})`,
        );
      if (trial.value === null)
        throw new HttpProblem(409, 'trial_not_trained', `run ${trial.runId} has no ${resource.metric} yet`);
      const before = await getExperiment(registry, resource.experimentId);
      await promoteSweepTrial(registry, {
        sweepId: resource.id,
        runId: trial.runId,
        hyperparameters: trial.hyperparameters,
      });
      const after = await getExperiment(registry, resource.experimentId);
      await audit(registry, req, {
        action: 'experiment.update',
        entity: 'experiment',
        entityId: after.id,
        before: { hyperparameters: before.hyperparameters },
        after: {
          hyperparameters: after.hyperparameters,
          promotedFrom: { sweepId: resource.id, runId: trial.runId },
        },
      });
      return sweepResource(registry, await getSweep(registry, params.id));
    },
  });
}
