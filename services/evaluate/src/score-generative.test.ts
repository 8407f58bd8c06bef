import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDataset } from '@lathe/contract';
import { applyGate, loadModel, parseGate, selectBackend, train, type LoadedModel } from '@lathe/ml';
import { fromArray, syntheticImages } from '../../../packages/ml/src/testing/synthetic.ts';
import { scoreModel } from './score-model.ts';
import { imageFrechetDistance, twoSampleSummary } from './score-generative.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };
const testImages = syntheticImages(300, 2);
const dataset: OpenedDataset = {
  metadata: { useCase: 'generative', imageShape: shape },
  counts: { train: 0, validation: 0, test: testImages.length },
  rows: () => fromArray(testImages),
};

/** A DCGAN trained for a few steps: its images are still far from the real ones. */
async function barelyTrainedGan(): Promise<LoadedModel> {
  const rows = syntheticImages(128, 1);
  const result = await train({
    family: 'dcgan',
    hyperparameters: {
      epochs: 1,
      batchSize: 32,
      learningRate: 0.001,
      width: 4,
      latentDim: 8,
      sampleCount: 2,
    },
    seed: 1,
    dataset: { useCase: 'generative', imageShape: shape },
    trainRows: () => fromArray(rows),
  });
  return loadModel(result.buffer);
}

describe('the generative evaluation: classifier two-sample test (Lopez-Paz & Oquab 2017)', () => {
  it('tells a barely trained GAN from the real test images, and a strict gate on c2stAccuracy refuses it', async () => {
    const model = await barelyTrainedGan();
    try {
      const score = await scoreModel(model, dataset, 'generative', { seed: 4 });
      expect(score.summary?.kind).toBe('generative');
      const m = score.summary!.metrics;
      // n = min(1,000, test split) = 300 per side; the held-out half also holds 300 images.
      expect(m.c2stSamples).toBe(300);
      expect(m.c2stAccuracy).toBeGreaterThan(0.8);
      expect(m.c2stZ).toBeGreaterThan(8);
      expect(m.c2stPValue).toBeLessThan(1e-6);
      expect(score.note).toMatch(
        /classifier two-sample test .* 300 generated images .* accuracy [01]\.\d{3} \(0\.5: indistinguishable; z \d+\.\d/,
      );
      expect(m.frechetDistance).toBeGreaterThan(0);
      expect(score.note).toMatch(/Fréchet distance \d\.\d{3}.* not the Inception FID/);
      // Seeded: the same seed gives the same numbers.
      const again = await scoreModel(model, dataset, 'generative', { seed: 4 });
      expect(again.summary!.metrics).toEqual(m);

      const strict = applyGate(
        m,
        null,
        parseGate({ thresholds: [{ metric: 'c2stAccuracy', op: '<=', value: 0.6 }] }),
      );
      expect(strict.verdict).toBe('failed');
      expect(strict.reasons).toEqual(
        expect.arrayContaining([expect.stringMatching(/^c2stAccuracy [01]\.\d+ > required 0\.6/)]),
      );
      const lax = applyGate(
        m,
        null,
        parseGate({ thresholds: [{ metric: 'c2stAccuracy', op: '<=', value: 1 }] }),
      );
      expect(lax.verdict).toBe('passed');
    } finally {
      model.dispose();
    }
  }, 300_000);

  it('cannot tell two halves of the real test images apart: accuracy within 4 null standard errors of 0.5', async () => {
    const pixels = testImages.map((r) => r.pixels);
    const summary = await twoSampleSummary({
      real: pixels.slice(0, 150),
      generated: pixels.slice(150),
      shape,
      seed: 4,
    });
    const { c2stAccuracy, c2stZ, c2stPValue, c2stSamples } = summary.metrics;
    expect(c2stSamples).toBe(150);
    expect(Math.abs(c2stAccuracy! - 0.5)).toBeLessThan(4 * (0.5 / Math.sqrt(150)));
    expect(Math.abs(c2stZ!)).toBeLessThan(4);
    expect(c2stPValue).toBeGreaterThan(1e-4);
  }, 300_000);

  it('puts two halves of the real test images near 0 in Fréchet distance, relative to a barely trained GAN', async () => {
    const model = await barelyTrainedGan();
    try {
      const pixels = testImages.map((r) => r.pixels);
      const real = pixels.slice(0, 150);
      const halves = imageFrechetDistance(real, pixels.slice(150), shape);
      // The same n = 150 per side for both, since the estimate's small-sample bias depends on n.
      const { images } = await model.generate(150, 4);
      const gan = imageFrechetDistance(real, images, shape);
      expect(gan).toBeGreaterThan(20 * halves);
      // The metric stored by the evaluation is the same function on the summary's samples.
      const summary = await twoSampleSummary({ real, generated: pixels.slice(150), shape, seed: 4 });
      expect(summary.metrics.frechetDistance).toBeCloseTo(halves, 12);
      const gate = parseGate({ thresholds: [{ metric: 'frechetDistance', op: '<=', value: 2 * halves }] });
      expect(applyGate(summary.metrics, null, gate).verdict).toBe('passed');
      const refused = applyGate({ ...summary.metrics, frechetDistance: gan }, null, gate);
      expect(refused.verdict).toBe('failed');
      expect(refused.reasons).toEqual(
        expect.arrayContaining([expect.stringMatching(/^frechetDistance [\d.]+ > required/)]),
      );
    } finally {
      model.dispose();
    }
  }, 300_000);

  it('reads c2stAccuracy, c2stZ and frechetDistance as lower-is-better and c2stPValue as higher-is-better in a gate', () => {
    expect(() => parseGate({ thresholds: [{ metric: 'c2stAccuracy', maxIncrease: 0.02 }] })).not.toThrow();
    expect(() => parseGate({ thresholds: [{ metric: 'c2stAccuracy', maxDecrease: 0.02 }] })).toThrow(
      /use maxIncrease/,
    );
    expect(() => parseGate({ thresholds: [{ metric: 'c2stZ', maxDecrease: 1 }] })).toThrow(/use maxIncrease/);
    expect(() => parseGate({ thresholds: [{ metric: 'frechetDistance', maxIncrease: 0.01 }] })).not.toThrow();
    expect(() => parseGate({ thresholds: [{ metric: 'frechetDistance', maxDecrease: 0.01 }] })).toThrow(
      /use maxIncrease/,
    );
    expect(() => parseGate({ thresholds: [{ metric: 'c2stPValue', maxIncrease: 0.1 }] })).toThrow(
      /use maxDecrease/,
    );
  });

  it('says why there is no metric when the test split is too small, and a gate on it fails with that reason', async () => {
    const model = await barelyTrainedGan();
    try {
      const few: OpenedDataset = { ...dataset, rows: () => fromArray(testImages.slice(0, 5)) };
      const score = await scoreModel(model, few, 'generative', { seed: 1 });
      expect(score.summary!.metrics).toEqual({});
      expect(score.note).toMatch(/5 images, fewer than the 20/);
      expect(score.summary!.undefinedMetrics.frechetDistance?.code).toBe('too_few_samples');
      // A gate naming the metric fails with that reason instead of passing unchecked.
      const result = applyGate(
        score.summary!,
        null,
        parseGate({ thresholds: [{ metric: 'c2stAccuracy', op: '<=', value: 0.9 }] }),
      );
      expect(result.verdict).toBe('failed');
      expect(result.reasons).toContain(
        'c2stAccuracy is undefined for the candidate (the test split has 5 images, fewer than the 20 the two-sample test needs): failed',
      );
    } finally {
      model.dispose();
    }
  }, 300_000);
});
