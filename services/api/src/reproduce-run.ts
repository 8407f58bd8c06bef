/**
 * Reruns a run's training and reports whether it reproduced: the model version's own bundle
 * says which family, hyperparameters and seed; the rows are the run's dataset version (its
 * artifacts are sha256-verified as they are read), with the same generated images where the run
 * had a `ganAugmentation`; the weights are compared tensor by tensor.
 * It trains in the calling process, so it is meant for models that train in seconds to minutes.
 */
import { ConflictError } from '@lathe/core';
import type { ArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess, RunReproduction } from '@lathe/contract';
import {
  deserializeBundle,
  ganAugmentationRows,
  reproduceTraining,
  withExtraRows,
  type Reproduction,
} from '@lathe/ml';
import {
  findModelVersionOfRun,
  getDatasetVersion,
  getModelVersion,
  getRun,
  type Registry,
} from '@lathe/registry';

export type RunReproducer = (runId: string) => Promise<RunReproduction>;

function summarize(r: Reproduction): string {
  if (r.verdict === 'identical')
    return `identical: all ${r.weights.tensors} weight tensors have the same bytes (weights sha256 ${r.weights.rerunSha256})`;
  const d = r.weights.firstDifference;
  const where =
    d === null
      ? 'the weights digests differ'
      : `the first differing tensor is #${d.index} ${d.model}${d.name} (${d.reason}${d.maxAbsDifference !== undefined ? `, max |Δ| ${d.maxAbsDifference.toPrecision(3)} over ${d.differingElements} elements` : ''})`;
  const why = !r.deterministic
    ? `; the backend is not deterministic (${r.original.backend.deterministic ? r.rerun.backend.reason : r.original.backend.reason}), so bit-identical weights were not expected`
    : r.environmentDifferences.length > 0
      ? `; the environment changed: ${r.environmentDifferences.join(', ')}`
      : '';
  return `different: ${where}${why}`;
}

export function createRunReproducer(deps: {
  registry: Registry;
  store: ArtifactStore;
  datasets: DatasetAccess;
  lockfileSha256?: string;
}): RunReproducer {
  return async (runId) => {
    const run = await getRun(deps.registry, runId);
    const modelVersion = await findModelVersionOfRun(deps.registry, runId);
    if (modelVersion === null || run.datasetVersionId === null) {
      throw new ConflictError(
        'run_has_no_model',
        `run ${runId} has no model version to reproduce (status ${run.status}); reproduce a run whose train stage succeeded`,
        { runId, status: run.status },
      );
    }
    const datasetVersion = await getDatasetVersion(deps.registry, run.datasetVersionId);
    const dataset = await deps.datasets.open(datasetVersion);
    const original = await deps.store.getBuffer(modelVersion.sha256);
    // The hyperparameters and seed the original trained with, as its bundle records them.
    const training = JSON.parse(new TextDecoder().decode(deserializeBundle(original)['training.json'])) as {
      hyperparameters: unknown;
      seed: number;
    };
    const generated = await ganAugmentationRows(training.hyperparameters, {
      imageShape: dataset.metadata.imageShape,
      seed: training.seed,
      loadBundle: async (id) => {
        const version = await getModelVersion(deps.registry, id);
        return { bundle: await deps.store.getBuffer(version.sha256), sha256: version.sha256 };
      },
    });
    const result = await reproduceTraining({
      original,
      dataset: dataset.metadata,
      trainRows: () =>
        generated.length > 0
          ? withExtraRows<unknown>(
              dataset.rows('train'),
              generated,
              dataset.counts?.train ?? generated.length,
            )
          : dataset.rows('train'),
      validationRows: () => dataset.rows('validation'),
      ...(deps.lockfileSha256 !== undefined ? { lockfileSha256: deps.lockfileSha256 } : {}),
    });
    return {
      runId,
      modelVersionId: modelVersion.id,
      datasetVersionId: datasetVersion.id,
      datasetSha256: datasetVersion.sha256,
      verdict: result.verdict,
      weights: result.weights,
      seed: result.original.seed,
      original: { ...result.original.backend, lockfileSha256: result.original.lockfileSha256 },
      rerun: { ...result.rerun.backend, lockfileSha256: result.rerun.lockfileSha256 },
      environmentDifferences: result.environmentDifferences,
      deterministic: result.deterministic,
      summary: summarize(result),
    };
  };
}
