/**
 * The training loop the train worker calls. It streams rows (bounded memory), reports each
 * epoch through hooks (the caller writes RunMetric rows and job progress), checkpoints every
 * `checkpointEvery` epochs, resumes from the last checkpoint, checks cancellation between
 * batches, and returns ONE model bundle (model files + preprocessing + signature + metrics).
 *
 * On resume the weights, preprocessing, history and early-stopping state come back from the
 * checkpoint; optimiser state (Adam moments, momentum) restarts from zero. Epoch e always uses
 * the shuffle seed derive(seed, e), so a resumed run sees the same batches as an uninterrupted one.
 */
import type * as tf from '@tensorflow/tfjs';
import { LatheError } from '@lathe/core';
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
import { ValidationError } from '@lathe/core';

export type EpochMetrics = Record<string, number>;

export interface TrainHooks {
  /** After each epoch (1-based), with loss, validation metrics, learning rate and samples/s. */
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
}

export interface ModelBundle {
  files: BundleFiles;
  signature: ModelSignature;
  preprocessing: Preprocessing;
  metrics: { final: EpochMetrics; history: EpochMetrics[] };
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
}

interface TrainingRecord {
  family: ModelFamily;
  hyperparameters: Hyperparameters;
  seed: number;
  backend: { name: string; version: string; threads: number };
}
interface CheckpointRecord {
  epoch: number;
  history: EpochMetrics[];
  earlyStopping: EarlyStoppingState;
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
  let startEpoch = 1;
  if (checkpoint !== null) {
    checkpointFiles = deserializeBundle(checkpoint.bundle);
    prep = readJsonFile<Preprocessing>(checkpointFiles, 'preprocessing.json');
    const record = readJsonFile<CheckpointRecord>(checkpointFiles, 'checkpoint.json');
    history = record.history;
    early = record.earlyStopping;
    startEpoch = record.epoch + 1;
  } else {
    prep = await family.prepare(options.trainRows(), options.dataset, hp);
  }

  const signature: ModelSignature = { ...family.signature(prep, hp), family: familyName };
  const training: TrainingRecord = {
    family: familyName,
    hyperparameters: hp,
    seed,
    backend: { name: backend.name, version: backend.version, threads: backend.threads },
  };
  const model: TrainableModel = await family.create(prep, hp, seed, checkpointFiles);
  let best: tf.Tensor[] | null = null;
  let stoppedEarly = false;
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
        samplesPerSecond: samples / Math.max(seconds, 1e-9),
      };
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
        if (update.improved) {
          if (best) for (const t of best) t.dispose();
          best = model.snapshotWeights();
        }
        stoppedEarly = update.stop;
      }
      await hooks.onEpoch?.(epoch, metrics, { epochs: hp.epochs });
      if (
        hooks.saveCheckpoint !== undefined &&
        (epoch % hp.checkpointEvery === 0 || epoch === hp.epochs || stoppedEarly)
      ) {
        const record: CheckpointRecord = { epoch, history, earlyStopping: early };
        await hooks.saveCheckpoint(
          epoch,
          serializeBundle(await bundleFiles({ 'checkpoint.json': jsonFile(record) })),
        );
      }
    }
    // Early stopping keeps the weights of the best epoch (as Keras' restore_best_weights).
    if (stoppedEarly && best !== null) model.restoreWeights(best);
    const final = history[history.length - 1] ?? {};
    const metrics = { final, history, ...(early.bestEpoch !== null ? { bestEpoch: early.bestEpoch } : {}) };
    const extra = family.extraFiles ? await family.extraFiles(model, prep, hp, seed) : {};
    const files = await bundleFiles({ ...extra, 'metrics.json': jsonFile(metrics) });
    const buffer = serializeBundle(files);
    return {
      bundle: { files, signature, preprocessing: prep, metrics },
      buffer,
      sha256: sha256Hex(buffer),
      epochsCompleted: epoch - 1,
      stoppedEarly,
      resumedFromEpoch: checkpoint === null ? null : startEpoch - 1,
      backend,
    };
  } finally {
    if (best) for (const t of best) t.dispose();
    model.dispose();
  }
}
