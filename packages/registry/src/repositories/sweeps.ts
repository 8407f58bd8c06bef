/**
 * Hyperparameter sweeps: the parent row, its child runs (ordinary runs carrying the sweep's id),
 * the validation metric of each run at its kept epoch, and the promotion of the best trial to
 * the experiment's hyperparameters.
 */
import { NotFoundError } from '@lathe/core';
import type { Run, Sweep } from '../generated/prisma/client.ts';
import type { Db, Json } from './db.ts';
import { getExperiment, updateExperiment } from './experiments.ts';

export interface NewSweep {
  experimentId: string;
  space: Json;
  metric: string;
  direction: 'min' | 'max';
}

export type SweepWithRuns = Sweep & { runs: (Run & { modelVersion: { id: string } | null })[] };

export async function createSweep(db: Db, input: NewSweep): Promise<Sweep> {
  await getExperiment(db, input.experimentId);
  return db.sweep.create({ data: input });
}

/** Marks runs as trials of the sweep (they were started by the pipeline, like any run). */
export async function assignRunsToSweep(db: Db, sweepId: string, runIds: string[]): Promise<void> {
  await db.run.updateMany({ where: { id: { in: runIds } }, data: { sweepId } });
}

export async function getSweep(db: Db, id: string): Promise<SweepWithRuns> {
  const sweep = await db.sweep.findUnique({
    where: { id },
    include: { runs: { orderBy: { queuedAt: 'asc' }, include: { modelVersion: { select: { id: true } } } } },
  });
  if (!sweep) throw new NotFoundError('sweep', id);
  return sweep;
}

export async function listSweeps(db: Db, experimentId: string): Promise<Sweep[]> {
  return db.sweep.findMany({ where: { experimentId }, orderBy: { createdAt: 'desc' }, take: 100 });
}

export interface TrainingSource {
  /** The run that trained the model: the run itself, or the one its train stage's cache hit reused. */
  sourceRunId: string;
  trainingOutcome: Json | null;
  modelVersionId: string | null;
}

/**
 * Who trained each run's model. A trial whose train stage hit the cache trained nothing itself:
 * its outcome, metrics and model version are those of the run it reused.
 */
export async function trainingSources(db: Db, runIds: string[]): Promise<Map<string, TrainingSource>> {
  const cached = await db.stageExecution.findMany({
    where: { runId: { in: runIds }, stage: 'train', cacheHit: true, cachedFromRunId: { not: null } },
    select: { runId: true, cachedFromRunId: true },
  });
  const sourceOf = new Map(runIds.map((id) => [id, id]));
  for (const c of cached) sourceOf.set(c.runId, c.cachedFromRunId!);
  const sources = await db.run.findMany({
    where: { id: { in: [...new Set(sourceOf.values())] } },
    select: { id: true, trainingOutcome: true, modelVersion: { select: { id: true } } },
  });
  const byId = new Map(sources.map((r) => [r.id, r]));
  const out = new Map<string, TrainingSource>();
  for (const [runId, sourceRunId] of sourceOf) {
    const source = byId.get(sourceRunId);
    out.set(runId, {
      sourceRunId,
      trainingOutcome: (source?.trainingOutcome ?? null) as Json | null,
      modelVersionId: source?.modelVersion?.id ?? null,
    });
  }
  return out;
}

/** Every recorded value of one epoch metric of these runs, by run and epoch. */
export async function epochMetricValues(
  db: Db,
  runIds: string[],
  metric: string,
): Promise<Map<string, Map<number, number>>> {
  const rows = await db.runMetric.findMany({
    where: { runId: { in: runIds }, name: metric },
    select: { runId: true, step: true, value: true },
  });
  const out = new Map<string, Map<number, number>>();
  for (const row of rows) {
    if (!out.has(row.runId)) out.set(row.runId, new Map());
    out.get(row.runId)!.set(row.step, row.value);
  }
  return out;
}

/** Lays the trial's hyperparameters over the experiment's and records the promotion. */
export async function promoteSweepTrial(
  db: Db,
  input: { sweepId: string; runId: string; hyperparameters: Record<string, unknown> },
): Promise<Sweep> {
  const sweep = await getSweep(db, input.sweepId);
  const experiment = await getExperiment(db, sweep.experimentId);
  await updateExperiment(db, experiment.id, {
    hyperparameters: {
      ...(experiment.hyperparameters as Record<string, unknown>),
      ...input.hyperparameters,
    } as Json,
  });
  return db.sweep.update({
    where: { id: sweep.id },
    data: { promotedRunId: input.runId, promotedAt: new Date() },
  });
}
