import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import { fromArray, smallImageClassifier, syntheticImages, syntheticTabular } from '../testing/synthetic.ts';
import { train } from '../training/train.ts';
import { fgsmAccuracy } from './fgsm.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

describe('fgsmAccuracy', () => {
  it('image CNN: ε = 0 is clean accuracy, larger ε never helps on these rows and finally hurts', async () => {
    const result = await train(smallImageClassifier());
    const model = await loadModel(result.buffer);
    const test = syntheticImages(150, 2);
    const predictions = await model.predict(test);
    const clean = predictions.filter((p, i) => p.label === test[i]!.label).length / test.length;
    const fgsm = await fgsmAccuracy(model.differentiable!, test, (r) => r.label, [0, 0.05, 0.3], 64);
    model.dispose();
    expect(clean).toBeGreaterThan(0.9);
    expect(fgsm.clean).toBe(clean);
    const [zero, small, large] = fgsm.byEpsilon.map((e) => e.accuracy);
    expect(zero).toBe(clean);
    expect(small).toBeLessThanOrEqual(clean);
    expect(large).toBeLessThan(clean);
  }, 120_000);

  it('tabular MLP: perturbs only numeric features, and FGSM accuracy stays at or below clean', async () => {
    const result = await train({
      family: 'mlp',
      hyperparameters: { epochs: 10, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 },
      seed: 2,
      dataset: { useCase: 'tabular' },
      trainRows: () => fromArray(syntheticTabular(600, 3)),
    });
    const model = await loadModel(result.buffer);
    const test = syntheticTabular(200, 4);
    const differentiable = model.differentiable!;
    const batch = differentiable.encode(test.slice(0, 2));
    const mask = Array.from(await batch.perturbable!.data());
    const width = batch.x.shape[1]!;
    batch.dispose();
    // tenure and spend are numeric (perturbable), plan and region one-hot (not).
    expect(mask.slice(0, width)).toEqual([1, 1, ...new Array<number>(width - 2).fill(0)]);
    const fgsm = await fgsmAccuracy(differentiable, test, (r) => String(r.target), [0, 0.5, 2]);
    model.dispose();
    const [zero, half, two] = fgsm.byEpsilon.map((e) => e.accuracy);
    expect(zero).toBe(fgsm.clean);
    expect(half).toBeLessThanOrEqual(fgsm.clean);
    expect(two).toBeLessThan(fgsm.clean);
  }, 120_000);
});
