import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { TabularRow } from '@lathe/contract';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import { seededRandom } from '../random.ts';
import { fromArray } from '../testing/synthetic.ts';
import { train } from '../training/train.ts';
import { integratedGradients } from './integrated-gradients.ts';
import { permutationImportance } from './permutation-importance.ts';
import { explainTabularPrediction } from './shapley-sampling.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/** Only `a` and `b` decide the target; `noise1..3` are independent of it. */
function knownFeatures(n: number, seed: number): TabularRow[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const f = {
      a: r() * 2 - 1,
      b: r() * 2 - 1,
      noise1: r() * 2 - 1,
      noise2: r() * 2 - 1,
      noise3: r() * 2 - 1,
    };
    return { features: f, target: 2 * f.a - 1.5 * f.b > 0 ? 'yes' : 'no' };
  });
}

describe('permutation importance', () => {
  it('ranks the only features that matter on top, each with an interval clear of the rest', async () => {
    const rows = knownFeatures(800, 1);
    const test = knownFeatures(300, 2);
    const result = await train({
      family: 'mlp',
      hyperparameters: { epochs: 15, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 },
      seed: 3,
      dataset: { useCase: 'tabular' },
      trainRows: () => fromArray(rows),
    });
    const model = await loadModel(result.buffer);
    const accuracy = async (batch: TabularRow[]) => {
      const predictions = await model.predict(batch);
      return predictions.filter((p, i) => p.label === batch[i]!.target).length / batch.length;
    };
    const { baseline, importances } = await permutationImportance({
      rows: test,
      features: ['a', 'b', 'noise1', 'noise2', 'noise3'],
      score: accuracy,
      valuesOf: (batch, feature) => batch.map((row) => row.features[feature]),
      withFeature: (batch, feature, values) =>
        batch.map((row, i) => ({ ...row, features: { ...row.features, [feature]: values[i] as number } })),
      repeats: 8,
      seed: 5,
    });
    model.dispose();
    expect(baseline).toBeGreaterThan(0.9);
    expect(
      importances
        .slice(0, 2)
        .map((i) => i.feature)
        .sort(),
    ).toEqual(['a', 'b']);
    const weakestKnown = Math.min(importances[0]!.low, importances[1]!.low);
    for (const noise of importances.slice(2)) {
      expect(noise.high).toBeLessThan(weakestKnown);
      expect(Math.abs(noise.mean)).toBeLessThan(0.05);
    }
    expect(importances[0]!.repeats).toBe(8);
  }, 300_000);
});

describe('integrated gradients (Sundararajan, Taly & Yan 2017)', () => {
  it("a linear model's attributions are its coefficients × (x − baseline)", async () => {
    const w = [0.7, -1.3, 2.1, 0];
    const bias = 0.4;
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    model.setWeights([tf.tensor2d(w, [4, 1]), tf.tensor1d([bias])]);
    const f = (x: tf.Tensor2D) => (model.apply(x) as tf.Tensor2D).reshape([-1]) as tf.Tensor1D;
    const x = [1.5, 2, -0.5, 9];
    const baseline = [0.5, 0, 0.5, 1];
    const ig = await integratedGradients(f, x, baseline, 16);
    ig.attributions.forEach((a, i) => expect(a).toBeCloseTo(w[i]! * (x[i]! - baseline[i]!), 5));
    expect(ig.output - ig.baselineOutput).toBeCloseTo(
      w.reduce((s, wi, i) => s + wi * (x[i]! - baseline[i]!), 0),
      5,
    );
    expect(ig.completenessGap).toBeLessThan(1e-5);
    model.dispose();
  });

  it('satisfies completeness on a nonlinear network: Σ attributions ≈ f(x) − f(baseline)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 8,
          activation: 'tanh',
          inputShape: [5],
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    // The probability of class 2, as an explanation of a classifier's prediction would use.
    const f = (x: tf.Tensor2D) =>
      (model.apply(x) as tf.Tensor2D).slice([0, 2], [-1, 1]).reshape([-1]) as tf.Tensor1D;
    const x = [1.2, -0.7, 2.5, 0.3, -1.9];
    const zeros = [0, 0, 0, 0, 0];
    const coarse = await integratedGradients(f, x, zeros, 8);
    const fine = await integratedGradients(f, x, zeros, 256);
    const difference = Math.abs(fine.output - fine.baselineOutput);
    expect(difference).toBeGreaterThan(0.01); // a prediction that moves: completeness is not trivial
    expect(fine.completenessGap).toBeLessThan(1e-3 * Math.max(difference, 1e-3) + 1e-6);
    // The midpoint rule's error shrinks with more steps.
    expect(fine.completenessGap).toBeLessThanOrEqual(coarse.completenessGap);
    model.dispose();
  });
});

describe('per-prediction Shapley sampling (Štrumbelj & Kononenko 2014)', () => {
  it('credits the features that matter, and the contributions sum to f(x) − f(baseline)', async () => {
    const rows = knownFeatures(800, 11);
    const result = await train({
      family: 'mlp',
      hyperparameters: { epochs: 15, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 },
      seed: 4,
      dataset: { useCase: 'tabular' },
      trainRows: () => fromArray(rows),
    });
    const model = await loadModel(result.buffer);
    // From a clear "no" to a clear "yes": a and b make the change, the noise features move too.
    const instance = { features: { a: 0.5, b: -0.5, noise1: 0.4, noise2: -0.4, noise3: 0.3 } };
    const baseline = { features: { a: -0.5, b: 0.5, noise1: 0, noise2: 0, noise3: 0 } };
    const explanation = await explainTabularPrediction({
      predict: (batch) => model.predict(batch),
      instance,
      baseline,
      orderings: 12,
      seed: 1,
    });
    model.dispose();
    expect(explanation.label).toBe('yes');
    expect(explanation.evaluations).toBe(12 * 6);
    expect(
      explanation.contributions
        .slice(0, 2)
        .map((c) => c.feature)
        .sort(),
    ).toEqual(['a', 'b']);
    const sum = explanation.contributions.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(explanation.probability - explanation.baselineProbability, 6);
    for (const c of explanation.contributions.slice(2))
      expect(Math.abs(c.contribution)).toBeLessThan(explanation.contributions[1]!.contribution / 3);
  }, 300_000);
});
