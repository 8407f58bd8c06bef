import { beforeAll, describe, expect, it } from 'vitest';
import type { TextRow } from '@lathe/contract';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import { seededRandom } from '../random.ts';
import { fromArray, smallImageClassifier, syntheticImages } from '../testing/synthetic.ts';
import { train } from '../training/train.ts';
import { explainImagePrediction } from './image-attributions.ts';
import { explainTextPrediction } from './token-occlusion.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };

describe('image attributions (integrated gradients from a black image)', () => {
  it('sum to p(x) − p(black) within the midpoint rule’s error, which shrinks with steps', async () => {
    const result = await train(smallImageClassifier());
    const model = await loadModel(result.buffer);
    const [image] = syntheticImages(1, 9);
    const coarse = await explainImagePrediction({
      classifier: model.differentiable!,
      pixels: image!.pixels,
      shape,
      steps: 8,
    });
    const fine = await explainImagePrediction({
      classifier: model.differentiable!,
      pixels: image!.pixels,
      shape,
      steps: 128,
    });
    const [prediction] = await model.predict([image]);
    model.dispose();
    expect(fine.label).toBe(prediction!.label);
    expect(fine.probability).toBeCloseTo(prediction!.probabilities![fine.label]!, 5);
    expect(fine.attributions).toHaveLength(64);
    expect(fine.map).toHaveLength(64);
    expect(fine.evaluations).toBe(130);
    const sum = fine.attributions.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (fine.probability - fine.baselineProbability))).toBeCloseTo(
      fine.completenessGap,
      6,
    );
    expect(Math.abs(fine.probability - fine.baselineProbability)).toBeGreaterThan(0.2); // not a trivial sum
    expect(fine.completenessGap).toBeLessThan(0.01);
    expect(fine.completenessGap).toBeLessThanOrEqual(coarse.completenessGap + 1e-6);
  }, 120_000);
});

describe('text token attributions (leave-one-token-out occlusion)', () => {
  it('rank the planted sentiment token on top', async () => {
    // Only `splendid` tells the classes apart; every other word is shared noise.
    const r = seededRandom(4);
    const filler = ['the', 'box', 'came', 'on', 'tuesday', 'with', 'a', 'note', 'and', 'tape'];
    const pick = () => filler[Math.floor(r() * filler.length)]!;
    const rows: TextRow[] = Array.from({ length: 400 }, (_, i) => {
      const words = Array.from({ length: 6 }, pick);
      if (i % 2 === 0) words.splice(Math.floor(r() * 6), 0, 'splendid');
      return { text: words.join(' '), label: i % 2 === 0 ? 'pos' : 'neg' };
    });
    const result = await train({
      family: 'embedding-pool',
      hyperparameters: {
        epochs: 8,
        batchSize: 32,
        embeddingDim: 8,
        hiddenUnits: 8,
        maxLength: 16,
        learningRate: 0.02,
      },
      seed: 5,
      dataset: { useCase: 'nlp' },
      trainRows: () => fromArray(rows),
    });
    const model = await loadModel(result.buffer);
    const explained = await explainTextPrediction({
      predict: (batch) => model.predict(batch),
      text: 'the note came splendid with tape on tuesday',
      maxTokens: 16,
    });
    model.dispose();
    expect(explained.label).toBe('pos');
    expect(explained.contributions[0]).toMatchObject({ token: 'splendid', index: 3 });
    expect(explained.contributions[0]!.contribution).toBeGreaterThan(0.3);
    expect(explained.evaluations).toBe(8 + 2);
  }, 120_000);

  it('reads at most maxTokens tokens', async () => {
    const explained = await explainTextPrediction({
      predict: async (batch) => batch.map(() => ({ label: 'a', probabilities: { a: 1 } })),
      text: 'one two three four five',
      maxTokens: 3,
    });
    expect(explained.tokens).toEqual(['one', 'two', 'three']);
    expect(explained.evaluations).toBe(5);
  });
});
