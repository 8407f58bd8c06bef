import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.ts';
import { deserializeBundle, readJsonFile, serializeBundle } from '../bundle/bundle-format.ts';
import type { DatasetMetadata } from '../families/types.ts';
import { fromArray, syntheticImages, syntheticTabular, syntheticText } from '../testing/synthetic.ts';
import { compareWeights } from './compare-weights.ts';
import { reproduceTraining } from './reproduce.ts';
import type { TrainingRecord } from './train.ts';
import { train } from './train.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

interface Case {
  family: string;
  hyperparameters: Record<string, unknown>;
  dataset: DatasetMetadata;
  train: unknown[];
  validation: unknown[];
}

// Each case has dropout and shuffling on: the two sources of randomness besides initialisers.
const cases: Record<string, Case> = {
  tabular: {
    family: 'mlp',
    hyperparameters: { epochs: 2, batchSize: 32, dropout: 0.3, shuffleBuffer: 64 },
    dataset: { useCase: 'tabular' },
    train: syntheticTabular(240, 1),
    validation: syntheticTabular(60, 2),
  },
  text: {
    family: 'lstm',
    hyperparameters: { epochs: 2, batchSize: 32, maxLength: 10, embeddingDim: 8, units: 8, dropout: 0.3 },
    dataset: { useCase: 'nlp' },
    train: syntheticText(240, 3),
    validation: syntheticText(60, 4),
  },
  cnn: {
    family: 'cnn',
    hyperparameters: { epochs: 2, batchSize: 32, depth: 1, width: 4, hiddenUnits: 16, dropout: 0.3 },
    dataset: { useCase: 'image', imageShape: { width: 8, height: 8, channels: 1 } },
    train: syntheticImages(240, 5),
    validation: syntheticImages(60, 6),
  },
};

function run(c: Case, seed: number) {
  return train({
    family: c.family,
    hyperparameters: c.hyperparameters,
    seed,
    dataset: c.dataset,
    trainRows: () => fromArray(c.train),
    validationRows: () => fromArray(c.validation),
    lockfileSha256: 'a'.repeat(64),
  });
}

describe.each(Object.entries(cases))('a %s run', (_name, c) => {
  it('reruns to the identical weights sha256; another seed changes it', async () => {
    const first = await run(c, 7);
    const again = await run(c, 7);
    const other = await run(c, 8);
    expect(again.weights.sha256).toBe(first.weights.sha256);
    expect(again.weights.tensors.map((t) => t.sha256)).toEqual(first.weights.tensors.map((t) => t.sha256));
    expect(other.weights.sha256).not.toBe(first.weights.sha256);
    // The bundle holds no wall-clock fact; layer names are the only other difference.
    const metrics = (r: typeof first) => Buffer.from(r.bundle.files['metrics.json']!).toString('utf8');
    expect(metrics(again)).toBe(metrics(first));
    expect(metrics(first)).not.toContain('samplesPerSecond');
    const record = readJsonFile<TrainingRecord>(first.bundle.files, 'training.json');
    expect(record).toMatchObject({
      seed: 7,
      lockfileSha256: 'a'.repeat(64),
      backend: { name: 'wasm', threads: 1, deterministic: true },
    });
    expect(record.backend.version).toMatch(/^\d+\.\d+\.\d+/);
  }, 300_000);

  it('reproduces from its own bundle: the same data gives "identical", other data names the first tensor', async () => {
    const original = await run(c, 11);
    const same = await reproduceTraining({
      original: original.buffer,
      dataset: c.dataset,
      trainRows: () => fromArray(c.train),
      validationRows: () => fromArray(c.validation),
      lockfileSha256: 'a'.repeat(64),
    });
    expect(same.verdict).toBe('identical');
    expect(same.weights.rerunSha256).toBe(original.weights.sha256);
    expect(same.environmentDifferences).toEqual([]);
    expect(same.deterministic).toBe(true);

    const changed = await reproduceTraining({
      original: original.buffer,
      dataset: c.dataset,
      trainRows: () => fromArray(c.train.slice(1)),
      validationRows: () => fromArray(c.validation),
      lockfileSha256: 'b'.repeat(64),
    });
    expect(changed.verdict).toBe('different');
    expect(changed.weights.firstDifference).toMatchObject({ reason: 'values' });
    expect(changed.weights.firstDifference!.maxAbsDifference).toBeGreaterThan(0);
    expect(changed.environmentDifferences).toEqual([
      `lockfile sha256: ${'a'.repeat(64)} → ${'b'.repeat(64)}`,
    ]);
  }, 300_000);
});

describe('compareWeights', () => {
  it('names the first tensor whose bytes differ and how much', async () => {
    const result = await run(cases.tabular!, 3);
    const files = deserializeBundle(result.buffer);
    const tensors = result.weights.tensors;
    // Change one float of the third tensor: the comparison must point at it, not before.
    const weights = Uint8Array.prototype.slice.call(files['weights.bin']!);
    const offset = tensors.slice(0, 2).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1) * 4, 0);
    const view = new DataView(weights.buffer);
    view.setFloat32(offset, view.getFloat32(offset, true) + 0.5, true);
    const changed = deserializeBundle(serializeBundle({ ...files, 'weights.bin': weights }));
    const comparison = compareWeights(files, changed);
    expect(comparison.identical).toBe(false);
    expect(comparison.firstDifference).toMatchObject({
      index: 2,
      name: tensors[2]!.name,
      reason: 'values',
      differingElements: 1,
    });
    expect(comparison.firstDifference!.maxAbsDifference).toBeCloseTo(0.5, 5);
    expect(compareWeights(files, files).identical).toBe(true);
  }, 300_000);
});
