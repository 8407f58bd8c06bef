/**
 * An evaluation of a model version on any dataset version with its columns (a user's own
 * hold-out, a later month of customers), not only the test split of the version it trained on:
 * the same scoring, metrics, curves, slices and gate as the evaluate stage (the experiment's
 * absolute thresholds and the trivial baseline; no production comparison), stored as an
 * Evaluation of (model version, dataset version, split). Run by the scoring worker.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import type { OpenedDataset, SplitName } from '@lathe/contract';
import { createDatasetAccess } from '@lathe/data';
import { loadModel } from '@lathe/ml';
import {
  completeEvaluationJob,
  getDatasetVersion,
  getModelVersion,
  type Registry,
  type ScoringJob,
} from '@lathe/registry';
import { decide, gateOf, saveEvaluation } from '../handler.ts';
import { scoreModel } from '../score-model.ts';

const SPLITS: SplitName[] = ['train', 'validation', 'test'];

/** The dataset as scoreModel reads it, its `test` rows being the requested split (or all rows). */
function asHeldOut(dataset: OpenedDataset, split: string): OpenedDataset {
  return {
    ...dataset,
    rows: (s) =>
      s !== 'test'
        ? dataset.rows(s)
        : split === 'all'
          ? (async function* () {
              for (const part of SPLITS) yield* dataset.rows(part);
            })()
          : dataset.rows(split as SplitName),
  };
}

export async function evaluateDatasetVersion(
  deps: { registry: Registry; store: ArtifactStore },
  job: ScoringJob,
): Promise<{ evaluationId: string; rows: number }> {
  const modelVersion = await getModelVersion(deps.registry, job.modelVersionId);
  const version = await getDatasetVersion(deps.registry, job.datasetVersionId!);
  const split = job.split ?? 'all';
  const dataset = asHeldOut(await createDatasetAccess(deps.store).open(version), split);
  const model = await loadModel(await deps.store.getBuffer(modelVersion.sha256), {
    expectedSha256: modelVersion.sha256,
  });
  let score;
  try {
    score = await scoreModel(model, dataset, modelVersion.useCase);
  } finally {
    model.dispose();
  }
  const experiment = await deps.registry.experiment.findUnique({ where: { name: modelVersion.modelName } });
  const gate = gateOf(experiment?.gate ?? { thresholds: [] });
  // Absolute thresholds and the trivial baseline only: "vs production" belongs to the pipeline.
  const absolute = { thresholds: gate.thresholds.filter((t) => 'op' in t) };
  const evaluation = await saveEvaluation(deps.registry, {
    modelVersionId: modelVersion.id,
    datasetVersionId: version.id,
    split,
    runId: null,
    score,
    baselineVersionId: null,
    baseline: null,
    result: decide(score, null, absolute, modelVersion),
  });
  const rows = score.summary?.rows ?? 0;
  await completeEvaluationJob(deps.registry, job.id, { evaluationId: evaluation.id, rows });
  return { evaluationId: evaluation.id, rows };
}
