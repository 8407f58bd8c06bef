import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRow, OpenedDataset } from '@lathe/contract';
import { applyGate, loadModel, parseGate, seededRandom, selectBackend, train } from '@lathe/ml';
import {
  fromArray,
  smallImageClassifier,
  syntheticImages,
} from '../../../packages/ml/src/testing/synthetic.ts';
import { dropTokens, gaussianPixels, occludeCentre, robustnessMetrics } from './robustness.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };

describe('perturbations', () => {
  it('Gaussian pixel noise has the stated σ (0.1 of 255) and stays in range', () => {
    const row: ImageRow = { label: 'x', pixels: new Uint8Array(20_000).fill(128) };
    const noisy = gaussianPixels(row, 0.1, seededRandom(1)).pixels;
    const values = Array.from(noisy);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    // σ = 25.5; rounding adds 1/12 to the variance; 5 standard errors of a sample sd ≈ 5σ/√(2n).
    expect(Math.abs(sd - Math.sqrt(25.5 ** 2 + 1 / 12))).toBeLessThan(
      (5 * 25.5) / Math.sqrt(2 * values.length),
    );
    expect(Math.abs(mean - 128)).toBeLessThan((5 * 25.5) / Math.sqrt(values.length));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  });

  it('occlusion blanks the centred half-size square and nothing else', () => {
    const row: ImageRow = { label: 'x', pixels: new Uint8Array(64).fill(200) };
    const occluded = occludeCentre(row, shape, 0.5).pixels;
    const zeros = [...occluded.keys()].filter((i) => occluded[i] === 0);
    expect(zeros).toHaveLength(16);
    expect(
      zeros.every((i) => Math.floor(i / 8) >= 2 && Math.floor(i / 8) < 6 && i % 8 >= 2 && i % 8 < 6),
    ).toBe(true);
  });

  it('token dropout removes about the stated share of tokens', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ');
    const kept = dropTokens({ text, label: 'pos' }, 0.2, seededRandom(2)).text.split(' ').length;
    expect(Math.abs(kept / 10_000 - 0.8)).toBeLessThan(5 * Math.sqrt((0.2 * 0.8) / 10_000));
  });
});

describe('robustnessMetrics', () => {
  it('stores accuracy under noise and occlusion with its drop, and a gate can require a bound on the drop', async () => {
    const rows = syntheticImages(300, 1);
    const test = syntheticImages(120, 2);
    const result = await train(smallImageClassifier(rows));
    const model = await loadModel(result.buffer);
    const dataset: OpenedDataset = {
      metadata: { useCase: 'image', imageShape: shape },
      counts: { train: 0, validation: 0, test: test.length },
      rows: () => fromArray(test),
    };
    const metrics = await robustnessMetrics(model, dataset, 'image', 7);
    const again = await robustnessMetrics(model, dataset, 'image', 7);
    const predictions = await model.predict(test);
    const clean = predictions.filter((p, i) => p.label === test[i]!.label).length / test.length;
    model.dispose();
    expect(again).toEqual(metrics); // seeded: a rerun gives the same numbers
    for (const name of ['GaussianNoise', 'Occlusion']) {
      expect(metrics[`accuracy${name}`]).toBeGreaterThanOrEqual(0);
      expect(metrics[`accuracy${name}`]).toBeLessThanOrEqual(1);
      expect(metrics[`robustnessDrop${name}`]).toBeCloseTo(clean - metrics[`accuracy${name}`]!, 12);
    }
    // FGSM at the stated ε: never above clean accuracy here, and gateable like the others.
    expect(metrics.fgsmEpsilon).toBe(0.1);
    expect(metrics.accuracyFgsm).toBeLessThanOrEqual(clean);
    expect(metrics.robustnessDropFgsm).toBeCloseTo(clean - metrics.accuracyFgsm!, 12);
    const fgsmGate = (value: number) =>
      applyGate(
        { metrics },
        null,
        parseGate({ thresholds: [{ metric: 'robustnessDropFgsm', op: '<=', value }] }),
      );
    expect(fgsmGate(metrics.robustnessDropFgsm! + 0.01).verdict).toBe('passed');
    const refused = fgsmGate(metrics.robustnessDropFgsm! - 0.01);
    expect(refused.verdict).toBe('failed');
    expect(refused.reasons.join(' ')).toContain('robustnessDropFgsm');
    const drop = metrics.robustnessDropOcclusion!;
    const gate = (value: number) =>
      applyGate(
        { metrics },
        null,
        parseGate({ thresholds: [{ metric: 'robustnessDropOcclusion', op: '<=', value }] }),
      );
    expect(gate(drop + 0.01).verdict).toBe('passed');
    expect(gate(drop - 0.01).verdict).toBe('failed');
  }, 300_000);
});
