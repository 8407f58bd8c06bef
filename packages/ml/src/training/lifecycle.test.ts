import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/core';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import { fromArray, syntheticImages, syntheticTabular, syntheticText } from '../testing/synthetic.ts';
import { train } from './train.ts';
import type { TrainOptions } from './train.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const rows = syntheticText(200, 21);
const val = syntheticText(60, 22);
const base: Omit<TrainOptions, 'hooks'> = {
  family: 'embedding-pool',
  hyperparameters: {
    epochs: 4,
    batchSize: 32,
    maxLength: 8,
    embeddingDim: 8,
    hiddenUnits: 8,
    learningRate: 0.02,
  },
  seed: 9,
  dataset: { useCase: 'nlp' },
  trainRows: () => fromArray(rows),
  validationRows: () => fromArray(val),
};

describe('checkpoints, resume, cancellation', () => {
  it('a run killed mid-epoch resumes from its last checkpoint and trains the requested epochs in total', async () => {
    const checkpoints = new Map<number, Buffer>();
    let batches = 0;
    // First attempt: "killed" (a thrown error, as a dying worker) in the middle of epoch 3.
    const killed = await train({
      ...base,
      hooks: {
        saveCheckpoint: async (epoch, bundle) => void checkpoints.set(epoch, bundle),
        shouldStop: () => {
          batches++;
          if (batches === 2 * 7 + 3) throw new Error('worker killed');
          return false;
        },
      },
    }).catch((e: unknown) => e);
    expect((killed as Error).message).toBe('worker killed');
    expect([...checkpoints.keys()]).toEqual([1, 2]);

    const epochsSeen: number[] = [];
    const resumed = await train({
      ...base,
      hooks: {
        loadCheckpoint: async () => ({ epoch: 2, bundle: checkpoints.get(2)! }),
        onEpoch: (epoch) => void epochsSeen.push(epoch),
      },
    });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(epochsSeen).toEqual([3, 4]);
    expect(resumed.epochsCompleted).toBe(4);
    expect(resumed.bundle.metrics.history).toHaveLength(4);
  });

  it('cancellation is checked between batches', async () => {
    const error = await train({ ...base, hooks: { shouldStop: () => true } }).catch((e: unknown) => e);
    expect((error as LatheError).code).toBe('training_cancelled');
  });

  it('early stopping on a validation metric stops before the epoch budget', async () => {
    const result = await train({
      ...base,
      hyperparameters: {
        ...(base.hyperparameters as object),
        epochs: 30,
        earlyStopping: { metric: 'valAccuracy', patience: 1, minDelta: 0.5 },
      },
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsCompleted).toBeLessThan(30);
  });

  it('predictions after serialise → load equal predictions of the first load; a wrong sha256 is refused', async () => {
    const result = await train(base);
    const a = await loadModel(result.buffer, { expectedSha256: result.sha256 });
    const b = await loadModel(Buffer.from(result.buffer));
    const pa = await a.predict(val);
    const pb = await b.predict(val);
    expect(pb).toEqual(pa);
    a.dispose();
    b.dispose();
    await expect(loadModel(result.buffer, { expectedSha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });
});

describe('kept weights and the overfitting flag', () => {
  // Labels drawn at random: a wide MLP with a large learning rate can only memorise them, so
  // validation loss is lowest early and rises while training loss keeps falling.
  const noisy = syntheticTabular(120, 41).map((row, i) => ({
    ...row,
    target: (i * 7919) % 3 === 0 ? 'churn' : 'stay',
  }));
  const noisyVal = syntheticTabular(60, 42).map((row, i) => ({
    ...row,
    target: i % 3 === 0 ? 'churn' : 'stay',
  }));
  const overfit: Omit<TrainOptions, 'hooks'> = {
    family: 'mlp',
    hyperparameters: { epochs: 10, batchSize: 16, hiddenUnits: [64, 64], learningRate: 0.03 },
    seed: 5,
    dataset: { useCase: 'tabular' },
    trainRows: () => fromArray(noisy),
    validationRows: () => fromArray(noisyVal),
  };

  it('keeps the best validation-loss epoch, flags overfitting, and a resumed run keeps the same weights', async () => {
    const checkpoints = new Map<number, Buffer>();
    const full = await train({
      ...overfit,
      hooks: { saveCheckpoint: async (epoch, bundle) => void checkpoints.set(epoch, bundle) },
    });
    const history = full.bundle.metrics.history;
    const valLosses = history.map((m) => m.valLoss!);
    const bestEpoch = valLosses.indexOf(Math.min(...valLosses)) + 1;
    expect(full.outcome.keptEpoch).toBe(bestEpoch);
    expect(bestEpoch).toBeLessThan(10); // the run overfits: the last epoch is not the best
    expect(full.outcome.reason).toContain(`epoch ${bestEpoch} of 10 had the best valLoss`);
    expect(full.outcome.overfitting).not.toBeNull();
    expect(full.outcome.overfitting!.epochs).toBeGreaterThanOrEqual(3);

    // The kept weights predict the kept epoch's validation loss, not the last epoch's.
    const model = await loadModel(full.buffer);
    const predictions = await model.predict(noisyVal);
    const crossEntropy =
      -predictions.reduce(
        (sum, p, i) => sum + Math.log(Math.max(1e-7, p.probabilities![noisyVal[i]!.target as string]!)),
        0,
      ) / noisyVal.length;
    expect(crossEntropy).toBeCloseTo(valLosses[bestEpoch - 1]!, 3);
    model.dispose();

    // Resume after the best epoch: the best weights come back from the checkpoint's files.
    const resumeAt = Math.min(9, bestEpoch + 1);
    const resumed = await train({
      ...overfit,
      hooks: { loadCheckpoint: async () => ({ epoch: resumeAt, bundle: checkpoints.get(resumeAt)! }) },
    });
    expect(resumed.resumedFromEpoch).toBe(resumeAt);
    const resumedLosses = resumed.bundle.metrics.history.map((m) => m.valLoss!);
    const resumedBest = resumedLosses.indexOf(Math.min(...resumedLosses)) + 1;
    expect(resumed.outcome.keptEpoch).toBe(resumedBest);
    // The seeded run's later epochs do not beat the kept one, so the resumed bundle holds the
    // very weights of the uninterrupted run's kept epoch.
    expect(resumedBest).toBe(bestEpoch);
    expect(Buffer.from(resumed.bundle.files['weights.bin']!)).toEqual(
      Buffer.from(full.bundle.files['weights.bin']!),
    );
  });
});

describe('memory', () => {
  it('tf.memory().numTensors does not grow over 5 training runs and 1,000 predictions', async () => {
    const images = syntheticImages(64, 31);
    const options: TrainOptions = {
      family: 'cnn',
      hyperparameters: {
        epochs: 1,
        batchSize: 32,
        depth: 1,
        width: 2,
        hiddenUnits: 4,
        dropout: 0.2,
        earlyStopping: { metric: 'valLoss', patience: 2 },
      },
      seed: 1,
      dataset: { useCase: 'image', imageShape: { width: 8, height: 8, channels: 1 } },
      trainRows: () => fromArray(images),
      validationRows: () => fromArray(images.slice(0, 16)),
    };
    const first = await train(options); // warm-up: kernels and backend caches
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = await train(options);
    expect(tf.memory().numTensors).toBe(before);

    const model = await loadModel(last.buffer);
    await model.predict(images.slice(0, 1));
    const beforePredict = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) await model.predict([images[i % images.length]!]);
    expect(tf.memory().numTensors).toBe(beforePredict);
    model.dispose();
  });
});
