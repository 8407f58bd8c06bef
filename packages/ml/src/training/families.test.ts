import { describe, expect, it, beforeAll } from 'vitest';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import {
  fromArray,
  syntheticImages,
  syntheticInteractions,
  syntheticTabular,
  syntheticText,
} from '../testing/synthetic.ts';
import { train } from './train.ts';

function accuracy(pred: { label?: string }[], rows: { label?: string; target?: string | number }[]): number {
  return pred.filter((p, i) => p.label === String(rows[i]!.label ?? rows[i]!.target)).length / rows.length;
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

describe('each family trains on tiny synthetic data, beats chance, and reloads identically', () => {
  it('image cnn', async () => {
    const rows = syntheticImages(300, 1);
    const test = syntheticImages(90, 2);
    const result = await train({
      family: 'cnn',
      hyperparameters: {
        epochs: 3,
        batchSize: 32,
        depth: 1,
        width: 4,
        hiddenUnits: 16,
        learningRate: 0.01,
        dropout: 0.1,
      },
      seed: 1,
      dataset: { useCase: 'image', imageShape: { width: 8, height: 8, channels: 1 } },
      trainRows: () => fromArray(rows),
      validationRows: () => fromArray(test),
    });
    expect(result.bundle.metrics.history).toHaveLength(3);
    expect(result.bundle.metrics.final.valAccuracy).toBeGreaterThan(0.6);
    const model = await loadModel(result.buffer, { expectedSha256: result.sha256 });
    const pred = await model.predict(test);
    expect(accuracy(pred, test)).toBeGreaterThan(0.6); // chance is 1/3
    model.dispose();
  });

  it.each(['embedding-pool', 'cnn1d', 'lstm', 'gru'] as const)('text %s', async (family) => {
    const rows = syntheticText(300, 3);
    const test = syntheticText(100, 4);
    const result = await train({
      family,
      hyperparameters: {
        epochs: family === 'lstm' || family === 'gru' ? 4 : 3,
        batchSize: 32,
        maxLength: 10,
        embeddingDim: 8,
        learningRate: 0.02,
        ...(family === 'lstm' || family === 'gru'
          ? { units: 8 }
          : family === 'cnn1d'
            ? { filters: 8 }
            : { hiddenUnits: 8 }),
      },
      seed: 2,
      dataset: { useCase: 'nlp' },
      trainRows: () => fromArray(rows),
      validationRows: () => fromArray(test),
    });
    const model = await loadModel(result.buffer);
    const pred = await model.predict(test);
    expect(accuracy(pred, test)).toBeGreaterThan(0.7); // chance is 1/2
    // Unknown words map to OOV, empty and odd input do not crash.
    const odd = await model.predict([{ text: 'zzzz qqqq never seen' }, { text: '' }, {}]);
    expect(odd).toHaveLength(3);
    expect(odd.every((p) => p.label === 'pos' || p.label === 'neg')).toBe(true);
    model.dispose();
  });

  it('tabular mlp with balanced class weights and unknown categories', async () => {
    const rows = syntheticTabular(400, 5);
    const test = syntheticTabular(150, 6);
    const result = await train({
      family: 'mlp',
      hyperparameters: {
        epochs: 8,
        batchSize: 32,
        hiddenUnits: [16],
        learningRate: 0.01,
        classWeights: 'balanced',
        l2: 0.0001,
      },
      seed: 3,
      dataset: { useCase: 'tabular' },
      trainRows: () => fromArray(rows),
      validationRows: () => fromArray(test),
    });
    const model = await loadModel(result.buffer);
    expect(accuracy(await model.predict(test), test)).toBeGreaterThan(0.75);
    const odd = await model.predict([
      { features: { tenure: 'n/a', plan: 'enterprise', extra: 1 } },
      { features: {} },
    ]);
    expect(odd).toHaveLength(2);
    model.dispose();
  });

  it('dcgan logs generator and discriminator losses and bundles samples', async () => {
    const rows = syntheticImages(128, 7, 8);
    const result = await train({
      family: 'dcgan',
      hyperparameters: {
        epochs: 2,
        batchSize: 32,
        latentDim: 8,
        width: 4,
        sampleCount: 4,
        learningRate: 0.002,
      },
      seed: 4,
      dataset: { useCase: 'generative', imageShape: { width: 8, height: 8, channels: 1 } },
      trainRows: () => fromArray(rows),
    });
    const final = result.bundle.metrics.final;
    expect(Number.isFinite(final.gLoss)).toBe(true);
    expect(Number.isFinite(final.dLoss)).toBe(true);
    expect(Buffer.from(result.bundle.files['samples.pgm']!).subarray(0, 2).toString()).toBe('P5');
    expect(result.bundle.files['samples.bin']!.byteLength).toBe(4 * 64);
    const model = await loadModel(result.buffer);
    const { images } = await model.generate(3, 1);
    expect(images).toHaveLength(3);
    expect(images[0]!.length).toBe(64);
    model.dispose();
  });
});

describe('recommenders', () => {
  const data = syntheticInteractions({ users: 120, items: 60, clusters: 4, perUser: 20, seed: 11 });

  function ndcgAt10(ranked: string[], relevant: Set<string>): number {
    let dcg = 0;
    ranked.slice(0, 10).forEach((item, i) => (dcg += relevant.has(item) ? 1 / Math.log2(i + 2) : 0));
    let ideal = 0;
    for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
    return ideal === 0 ? 0 : dcg / ideal;
  }

  it.each(['mf', 'ncf'] as const)(
    '%s (implicit, negative sampling) recovers cluster preferences: NDCG@10 well above popularity',
    async (family) => {
      const result = await train({
        family,
        hyperparameters: {
          epochs: family === 'mf' ? 12 : 8,
          batchSize: 128,
          embeddingDim: 8,
          learningRate: 0.02,
          negativeSamples: 4,
          ...(family === 'ncf' ? { hiddenUnits: [16] } : {}),
        },
        seed: 5,
        dataset: { useCase: 'recommendation' },
        trainRows: () => fromArray(data.train),
      });
      const model = await loadModel(result.buffer);
      const seen = new Map<string, string[]>();
      for (const r of data.train) seen.set(r.user, [...(seen.get(r.user) ?? []), r.item]);
      const heldOut = new Map<string, Set<string>>();
      for (const r of data.test) heldOut.set(r.user, (heldOut.get(r.user) ?? new Set()).add(r.item));
      let model10 = 0;
      let pop10 = 0;
      for (const [user, relevant] of heldOut) {
        const exclude = seen.get(user) ?? [];
        model10 += ndcgAt10(
          (await model.recommend(user, 10, { exclude })).map((x) => x.item),
          relevant,
        );
        pop10 += ndcgAt10(
          (await model.recommend('unknown-user', 10 + exclude.length))
            .map((x) => x.item)
            .filter((i) => !exclude.includes(i)),
          relevant,
        );
      }
      model10 /= heldOut.size;
      pop10 /= heldOut.size;
      expect(model10).toBeGreaterThan(pop10 * 1.3);
      // Unknown user → popularity fallback; unknown item → fallback score.
      const cold = await model.recommend('nobody', 5);
      expect(cold.every((x) => x.fallback)).toBe(true);
      const preds = await model.predict([
        { user: 'u1', item: 'i1' },
        { user: 'nobody', item: 'i1' },
        { user: 'u1', item: 'nothing' },
      ]);
      expect(preds.map((p) => p.fallback)).toEqual([false, true, true]);
      model.dispose();
    },
  );

  it('mf on explicit ratings reports rmse and learns them', async () => {
    const rows = data.train.map((r) => ({
      ...r,
      rating: data.userCluster.get(r.user) === data.itemCluster.get(r.item) ? 5 : 1,
    }));
    const result = await train({
      family: 'mf',
      hyperparameters: { epochs: 15, batchSize: 64, embeddingDim: 4, learningRate: 0.03 },
      seed: 6,
      dataset: { useCase: 'recommendation' },
      trainRows: () => fromArray(rows),
      validationRows: () => fromArray(rows.slice(0, 200)),
    });
    const history = result.bundle.metrics.history;
    expect(history[history.length - 1]!.valRmse).toBeLessThan(history[0]!.valRmse! * 0.8);
  });
});
