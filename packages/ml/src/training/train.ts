/**
 * The training loop the train worker calls. It streams rows (bounded memory), reports each
 * epoch through hooks (the caller writes RunMetric rows and job progress), checkpoints every
 * `checkpointEvery` epochs, resumes from the last checkpoint, checks cancellation between
 * batches, and returns ONE model bundle (model files + preprocessing + signature + metrics).
 *
 * On resume the weights, preprocessing, history and early-stopping state come back from the
 * checkpoint; optimiser state (Adam moments, momentum) restarts from zero. Epoch e always uses
 * the shuffle seed derive(seed, e), so a resumed run sees the same batches as an uninterrupted one.
 *
 * With a validation split the model version carries the weights of the epoch with the best
 * validation metric (early stopping's metric, else valLoss), not the last epoch's: those weights
 * travel in every checkpoint (`best/…` files), so a resumed run keeps the same epoch. The result's
 * `outcome` says which epoch was kept and why, and flags overfitting.
 *
 * Reproducibility: everything that moves the weights is seeded (initialisers, shuffling,
 * dropout masks per step, sampled negatives, GAN noise), and the bundle holds no wall-clock
 * fact: samples/s goes to the onEpoch hook (RunMetric rows) only. training.json records seed,
 * backend, its version, threads, whether it is deterministic, and the lockfile's sha256.
 */
import type * as tf from '@tensorflow/tfjs';
import { LatheError } from '@lathe/core';
import type { BackendDeterminism } from '../backend/determinism.ts';
import { backendDeterminism } from '../backend/determinism.ts';
import type { BackendInfo } from '../backend/select-backend.ts';
import { currentBackend, selectBackend } from '../backend/select-backend.ts';
import type { BundleFiles } from '../bundle/bundle-format.ts';
import {
  deserializeBundle,
  jsonFile,
  readJsonFile,
  serializeBundle,
  sha256Hex,
} from '../bundle/bundle-format.ts';
import { families } from '../families/index.ts';
import type { DatasetMetadata, ModelSignature, Preprocessing, TrainableModel } from '../families/types.ts';
import type { Hyperparameters, ModelFamily } from '../hyperparameters.ts';
import { modelFamilies, parseHyperparameters } from '../hyperparameters.ts';
import { deriveSeed, seededRandom } from '../random.ts';
import { orderedBatches, shuffledBatches } from './batches.ts';
import type { EarlyStoppingState } from './early-stopping.ts';
import { initialEarlyStopping, updateEarlyStopping } from './early-stopping.ts';
import { learningRateAt } from './optimizers.ts';
import type { WeightsDigest } from './weights-digest.ts';
import { weightsDigest } from './weights-digest.ts';
import { ValidationError } from '@lathe/core';
import type { TrainingOutcome } from './training-outcome.ts';
import { describeOutcome, keptWeightsMonitor } from './training-outcome.ts';
import { chooseDecisionThreshold } from './choose-decision-threshold.ts';

export type EpochMetrics = Record<string, number>;

export interface TrainHooks {
  /** After each epoch (1-based), with loss, validation metrics, learning rate and samples/s (the only place samples/s goes). */
  onEpoch?(epoch: number, metrics: EpochMetrics, progress: { epochs: number }): Promise<void> | void;
  /** Checked between batches; true cancels the run (LatheError `training_cancelled`). */
  shouldStop?(): Promise<boolean> | boolean;
  /** Receives a serialised checkpoint bundle (store it as one artifact). */
  saveCheckpoint?(epoch: number, bundle: Buffer): Promise<void>;
  loadCheckpoint?(): Promise<{ epoch: number; bundle: Uint8Array } | null>;
}

export interface TrainOptions {
  family: ModelFamily | string;
  hyperparameters: unknown;
  seed: number;
  dataset: DatasetMetadata;
  trainRows(): AsyncIterable<unknown>;
  validationRows?(): AsyncIterable<unknown>;
  hooks?: TrainHooks;
  /** sha256 of the workspace lockfile (the code's dependency versions), recorded in training.json. */
  lockfileSha256?: string;
}

export interface ModelBundle {
  files: BundleFiles;
  signature: ModelSignature;
  preprocessing: Preprocessing;
  metrics: { final: EpochMetrics; history: EpochMetrics[]; bestEpoch?: number; outcome: TrainingOutcome };
}

export interface TrainResult {
  bundle: ModelBundle;
  /** `serializeBundle(bundle.files)`: store this as the model version's artifact. */
  buffer: Buffer;
  sha256: string;
  epochsCompleted: number;
  stoppedEarly: boolean;
  resumedFromEpoch: number | null;
  backend: BackendInfo;
  determinism: BackendDeterminism;
  /** The learned numbers' identity (what a reproduction compares), apart from the bundle's names. */
  weights: WeightsDigest;
  /** Which epoch's weights the bundle holds and why; the overfitting flag. */
  outcome: TrainingOutcome;
}

/** training.json: what a rerun needs to train the same model again, and what it ran on. */
export interface TrainingRecord {
  family: ModelFamily;
  hyperparameters: Hyperparameters;
  seed: number;
  backend: { name: string; version: string; threads: number } & BackendDeterminism;
  lockfileSha256: string | null;
}
interface CheckpointRecord {
  epoch: number;
  history: EpochMetrics[];
  earlyStopping: EarlyStoppingState;
  /** Best epoch so far on the kept-weights monitor; its model files are under `best/`. */
  kept?: EarlyStoppingState;
}

const BEST_PREFIX = 'best/';

function prefixed(files: BundleFiles, prefix: string): BundleFiles {
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [prefix + name, bytes]));
}

function unprefixed(files: BundleFiles, prefix: string): BundleFiles | null {
  const entries = Object.entries(files).filter(([name]) => name.startsWith(prefix));
  return entries.length === 0
    ? null
    : Object.fromEntries(entries.map(([name, bytes]) => [name.slice(prefix.length), bytes]));
}

function average(sums: Record<string, number>, count: number, prefix = ''): EpochMetrics {
  const out: EpochMetrics = {};
  for (const [k, v] of Object.entries(sums))
    out[prefix === '' ? k : prefix + k[0]!.toUpperCase() + k.slice(1)] = v / Math.max(1, count);
  return out;
}

function accumulate(sums: Record<string, number>, metrics: Record<string, number>, weight: number): void {
  for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v * weight;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const hp = parseHyperparameters(options.family, options.hyperparameters);
  const familyName = options.family as ModelFamily;
  const family = families[familyName];
  if (modelFamilies[familyName].useCase !== options.dataset.useCase) {
    throw new ValidationError(
      `family: ${familyName} is a ${modelFamilies[familyName].useCase} model but the dataset is ${options.dataset.useCase}`,
      { field: 'family', family: familyName, useCase: options.dataset.useCase },
      'family_use_case_mismatch',
    );
  }
  const backend = currentBackend() ?? (await selectBackend());
  const hooks = options.hooks ?? {};
  const seed = options.seed >>> 0;

  const checkpoint = (await hooks.loadCheckpoint?.()) ?? null;
  let prep: Preprocessing;
  let checkpointFiles: BundleFiles | undefined;
  let history: EpochMetrics[] = [];
  let early = initialEarlyStopping();
  let kept = initialEarlyStopping();
  let bestFiles: BundleFiles | null = null;
  let startEpoch = 1;
  if (checkpoint !== null) {
    checkpointFiles = deserializeBundle(checkpoint.bundle);
    prep = readJsonFile<Preprocessing>(checkpointFiles, 'preprocessing.json');
    const record = readJsonFile<CheckpointRecord>(checkpointFiles, 'checkpoint.json');
    history = record.history;
    early = record.earlyStopping;
    kept = record.kept ?? kept;
    bestFiles = unprefixed(checkpointFiles, BEST_PREFIX);
    checkpointFiles = Object.fromEntries(
      Object.entries(checkpointFiles).filter(([name]) => !name.startsWith(BEST_PREFIX)),
    );
    startEpoch = record.epoch + 1;
  } else {
    prep = await family.prepare(options.trainRows(), options.dataset, hp);
  }

  let signature: ModelSignature = { ...family.signature(prep, hp), family: familyName };
  const training: TrainingRecord = {
    family: familyName,
    hyperparameters: hp,
    seed,
    backend: {
      name: backend.name,
      version: backend.version,
      threads: backend.threads,
      ...backendDeterminism(backend),
    },
    lockfileSha256: options.lockfileSha256 ?? null,
  };
  const model: TrainableModel = await family.create(prep, hp, seed, checkpointFiles);
  let best: tf.Tensor[] | null = null;
  let stoppedEarly = false;
  let monitor = keptWeightsMonitor(hp.earlyStopping, history[0], options.dataset.useCase);
  let epoch = startEpoch;

  const bundleFiles = async (extra: BundleFiles): Promise<BundleFiles> => ({
    ...(await model.files()),
    'preprocessing.json': jsonFile(prep),
    'signature.json': jsonFile(signature),
    'training.json': jsonFile(training),
    ...extra,
  });

  try {
    // An early stop recorded in the checkpoint ends the run without another epoch.
    if (hp.earlyStopping !== null && early.wait >= hp.earlyStopping.patience) stoppedEarly = true;
    for (; epoch <= hp.epochs && !stoppedEarly; epoch++) {
      const lr = learningRateAt(hp.learningRate, hp.lrSchedule, epoch - 1, hp.epochs);
      model.setLearningRate(lr);
      const random = seededRandom(deriveSeed(seed, epoch));
      const sums: Record<string, number> = {};
      let samples = 0;
      const started = performance.now();
      for await (const batch of shuffledBatches(
        options.trainRows(),
        hp.batchSize,
        hp.shuffleBuffer,
        random,
      )) {
        if (await hooks.shouldStop?.()) {
          throw new LatheError(
            'training_cancelled',
            `training was cancelled during epoch ${epoch} of ${hp.epochs}`,
            { permanent: true, details: { epoch } },
          );
        }
        accumulate(sums, await model.trainBatch(batch, random), batch.length);
        samples += batch.length;
      }
      if (samples === 0)
        throw new ValidationError(
          'dataset: the training split has no rows',
          { field: 'trainRows' },
          'empty_training_split',
        );
      const seconds = (performance.now() - started) / 1000;
      const metrics: EpochMetrics = {
        ...average(sums, samples),
        learningRate: lr,
      };
      const samplesPerSecond = samples / Math.max(seconds, 1e-9);
      if (options.validationRows !== undefined) {
        const valRandom = seededRandom(deriveSeed(seed, 0x5eed)); // same negatives every epoch: comparable val loss
        const valSums: Record<string, number> = {};
        let valSamples = 0;
        for await (const batch of orderedBatches(options.validationRows(), Math.max(hp.batchSize, 256))) {
          const result = model.evaluateBatch(batch, valRandom);
          if (result === null) break;
          accumulate(valSums, await result, batch.length);
          valSamples += batch.length;
        }
        if (valSamples > 0) Object.assign(metrics, average(valSums, valSamples, 'val'));
      }
      history.push(metrics);
      if (hp.earlyStopping !== null) {
        const update = updateEarlyStopping(early, hp.earlyStopping, epoch, metrics);
        early = update.state;
        stoppedEarly = update.stop;
      }
      monitor ??= keptWeightsMonitor(hp.earlyStopping, metrics, options.dataset.useCase);
      if (monitor !== null) {
        const update = updateEarlyStopping(
          kept,
          { metric: monitor, mode: hp.earlyStopping?.mode, patience: Infinity, minDelta: 0 },
          epoch,
          metrics,
        );
        kept = update.state;
        if (update.improved) {
          if (best) for (const t of best) t.dispose();
          best = model.snapshotWeights();
          bestFiles = await model.files();
        }
      }
      await hooks.onEpoch?.(epoch, { ...metrics, samplesPerSecond }, { epochs: hp.epochs });
      if (
        hooks.saveCheckpoint !== undefined &&
        (epoch % hp.checkpointEvery === 0 || epoch === hp.epochs || stoppedEarly)
      ) {
        const record: CheckpointRecord = { epoch, history, earlyStopping: early, kept };
        const bestInCheckpoint = bestFiles === null ? {} : prefixed(bestFiles, BEST_PREFIX);
        await hooks.saveCheckpoint(
          epoch,
          serializeBundle(await bundleFiles({ ...bestInCheckpoint, 'checkpoint.json': jsonFile(record) })),
        );
      }
    }
    // The best epoch's weights (as Keras' restore_best_weights); after a resume they come from the
    // checkpoint's files, since the in-memory snapshot died with the previous attempt.
    const keptBest = kept.bestEpoch !== null && kept.bestEpoch !== epoch - 1 && bestFiles !== null;
    if (keptBest && best !== null) model.restoreWeights(best);
    const keptModelFiles = keptBest ? bestFiles! : {};
    let outcome = describeOutcome({ history, monitor, kept, stoppedEarly });
    const extra = family.extraFiles ? await family.extraFiles(model, prep, hp, seed) : {};
    const threshold = await chooseDecisionThreshold({
      family,
      hp,
      prep,
      files: await bundleFiles({ ...extra, ...keptModelFiles }),
      validationRows: options.validationRows,
    });
    if (threshold !== null) {
      prep = { ...prep, decisionThreshold: threshold.value };
      signature = { ...signature, decisionThreshold: threshold.value };
      outcome = { ...outcome, decisionThreshold: threshold };
    }
    const final = history[history.length - 1] ?? {};
    const metrics = {
      final,
      history,
      ...(early.bestEpoch !== null ? { bestEpoch: early.bestEpoch } : {}),
      outcome,
    };
    const files = await bundleFiles({ ...extra, ...keptModelFiles, 'metrics.json': jsonFile(metrics) });
    const buffer = serializeBundle(files);
    return {
      bundle: { files, signature, preprocessing: prep, metrics },
      buffer,
      sha256: sha256Hex(buffer),
      epochsCompleted: epoch - 1,
      stoppedEarly,
      resumedFromEpoch: checkpoint === null ? null : startEpoch - 1,
      backend,
      determinism: backendDeterminism(backend),
      weights: weightsDigest(files),
      outcome,
    };
  } finally {
    if (best) for (const t of best) t.dispose();
    model.dispose();
  }
}
