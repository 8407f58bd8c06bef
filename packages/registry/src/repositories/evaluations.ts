/**
 * Evaluations: one per (model version, dataset version, split). The first recorded evaluation
 * of a key stands (a retried evaluate stage reads it instead of scoring again); only an
 * operator's override changes its verdict afterwards.
 */
import { NotFoundError } from '@lathe/core';
import type { Evaluation, GateVerdict } from '../generated/prisma/client.ts';
import type { Db, Json } from './db.ts';

export interface EvaluationKey {
  modelVersionId: string;
  datasetVersionId: string;
  split: string;
}

export interface NewEvaluation extends EvaluationKey {
  /** Null for an evaluation requested on a dataset version outside any run. */
  runId: string | null;
  metrics: Json;
  curves: Json;
  slices: Json;
  verdict: GateVerdict;
  reasons: string[];
  baselineModelVersionId: string | null;
  baselineMetrics?: Json;
}

export async function getEvaluation(db: Db, id: string): Promise<Evaluation> {
  const evaluation = await db.evaluation.findUnique({ where: { id } });
  if (!evaluation) throw new NotFoundError('evaluation', id);
  return evaluation;
}

export async function findEvaluation(db: Db, key: EvaluationKey): Promise<Evaluation | null> {
  return db.evaluation.findUnique({ where: { modelVersionId_datasetVersionId_split: key } });
}

/** Records an evaluation, or returns the one already recorded for its key (first write wins). */
export async function recordEvaluation(db: Db, input: NewEvaluation): Promise<Evaluation> {
  const { modelVersionId, datasetVersionId, split } = input;
  return db.evaluation.upsert({
    where: { modelVersionId_datasetVersionId_split: { modelVersionId, datasetVersionId, split } },
    create: input,
    update: {},
  });
}

export interface VerdictOverride {
  verdict: GateVerdict;
  overrideReason: string;
  overriddenBy: string;
  overriddenAt: Date;
}

/**
 * Overrides a failed verdict. Conditional on the verdict still being `failed`: of two
 * concurrent overrides one wins; false when none was applied.
 */
export async function overrideFailedVerdict(db: Db, id: string, override: VerdictOverride): Promise<boolean> {
  const { count } = await db.evaluation.updateMany({ where: { id, verdict: 'failed' }, data: override });
  return count === 1;
}
