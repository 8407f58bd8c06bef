/**
 * The train stage: fits the experiment's model family on the run's dataset version and
 * registers exactly one model version for the run.
 *   - rows stream from the artifact store split by split (bounded memory);
 *   - every epoch appends RunMetric rows and reports progress; a cancel is honoured between
 *     batches (`shouldStop`: announced cancels are a memory read, see @lathe/queues cancel-signals);
 *   - every `checkpointEvery` epochs the model goes to the artifact store and the stage row
 *     records it, so a job restarted after a crash resumes from there;
 *   - the backend (name, version, threads) is recorded on the run, and so is the training outcome:
 *     which epoch's weights were kept and why, the overfitting flag, the decision threshold.
 * A redelivered job after success never gets here (the runner returns the recorded output),
 * and `registerModelVersion` is idempotent per run, so retries cannot create a second version.
 */
import { LatheError } from '@lathe/core';
import type { ArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess } from '@lathe/contract';
import {
  type BackendChoice,
  backendDeterminism,
  foldRows,
  foldSchema,
  selectBackend,
  train,
} from '@lathe/ml';
import type { StageHandler } from '@lathe/queues';
import {
  appendRunMetrics,
  getDatasetVersion,
  getStageCheckpoint,
  recordRunBackend,
  recordTrainingOutcome,
  registerModelVersion,
  saveStageCheckpoint,
} from '@lathe/registry';

export interface TrainDeps {
  store: ArtifactStore;
  datasets: DatasetAccess;
  /** The backend to force (the worker's LATHE_TF_BACKEND); unset: the first that loads. */
  backend?: BackendChoice;
  /** sha256 of the workspace lockfile this worker runs with (recorded on every run). */
  lockfileSha256?: string;
}

export function createTrainHandler(deps: TrainDeps): StageHandler<'train'> {
  return async (ctx) => {
    if (!ctx.run.datasetVersionId) {
      throw new LatheError(
        'missing_stage_output',
        `run ${ctx.runId}: train found no dataset version from ingest`,
        { permanent: true },
      );
    }
    const datasetVersion = await getDatasetVersion(ctx.registry, ctx.run.datasetVersionId);
    const dataset = await deps.datasets.open(datasetVersion);
    const fold = ctx.params.fold === undefined ? null : foldSchema.parse(ctx.params.fold);
    const backend = await selectBackend({ prefer: deps.backend });
    await recordRunBackend(
      ctx.registry,
      ctx.runId,
      {
        name: backend.name,
        version: backend.version,
        threads: backend.threads,
        ...backendDeterminism(backend),
      },
      deps.lockfileSha256,
    );

    const result = await train({
      family: ctx.experiment.modelFamily,
      hyperparameters: ctx.hyperparameters,
      seed: ctx.run.seed,
      dataset: dataset.metadata,
      // A cross-validation run validates on its fold of the training split and trains on the other k−1.
      trainRows: () => (fold ? foldRows(dataset.rows('train'), fold, 'train') : dataset.rows('train')),
      validationRows: () =>
        fold ? foldRows(dataset.rows('train'), fold, 'validation') : dataset.rows('validation'),
      ...(deps.lockfileSha256 !== undefined ? { lockfileSha256: deps.lockfileSha256 } : {}),
      hooks: {
        onEpoch: async (epoch, metrics, { epochs }) => {
          const points = Object.entries(metrics)
            .filter(([, value]) => Number.isFinite(value))
            .map(([name, value]) => ({ name, step: epoch, value }));
          await appendRunMetrics(ctx.registry, ctx.runId, points);
          await ctx.reportProgress(epoch / epochs);
        },
        shouldStop: () => ctx.shouldStop(),
        saveCheckpoint: async (epoch, bundle) => {
          const stored = await deps.store.put(bundle);
          await saveStageCheckpoint(ctx.registry, ctx.runId, 'train', {
            sha256: stored.sha256,
            uri: stored.uri,
            epoch,
          });
        },
        loadCheckpoint: async () => {
          const checkpoint = await getStageCheckpoint(ctx.registry, ctx.runId, 'train');
          if (!checkpoint) return null;
          ctx.logger.info({ epoch: checkpoint.epoch }, 'resuming training from checkpoint');
          return { epoch: checkpoint.epoch, bundle: await deps.store.getBuffer(checkpoint.sha256) };
        },
      },
    }).catch(async (error: unknown) => {
      // train() reports a stop as its own `training_cancelled`; the runner records a cancel (not a
      // failure, not retried) only from the StageStoppedError that throwIfStopped throws.
      if (error instanceof LatheError && error.code === 'training_cancelled') await ctx.throwIfStopped();
      throw error;
    });

    const stored = await deps.store.put(result.buffer);
    const { modelVersion } = await registerModelVersion(ctx.registry, {
      modelName: ctx.experiment.name,
      runId: ctx.runId,
      useCase: ctx.experiment.useCase,
      modelFamily: ctx.experiment.modelFamily,
      artifactUri: stored.uri,
      sha256: stored.sha256,
      weightsSha256: result.weights.sha256,
      sizeBytes: stored.sizeBytes,
      signature: JSON.parse(JSON.stringify(result.bundle.signature)),
      metrics: JSON.parse(JSON.stringify(result.bundle.metrics.final)),
    });
    await recordTrainingOutcome(ctx.registry, ctx.runId, JSON.parse(JSON.stringify(result.outcome)));
    if (result.outcome.overfitting)
      ctx.logger.warn({ overfitting: result.outcome.overfitting }, 'overfitting');
    return {
      modelVersionId: modelVersion.id,
      version: modelVersion.version,
      sha256: stored.sha256,
      epochs: result.epochsCompleted,
      stoppedEarly: result.stoppedEarly,
      resumedFromEpoch: result.resumedFromEpoch,
      backend: backend.name,
    };
  };
}
