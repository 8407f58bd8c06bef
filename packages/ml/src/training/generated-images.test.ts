import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.ts';
import { loadModel } from '../inference/load-model.ts';
import { fromArray, syntheticImages } from '../testing/synthetic.ts';
import { generatedImages, withExtraRows } from './generated-images.ts';
import { train } from './train.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('withExtraRows', () => {
  it('spreads the extra rows evenly through the real ones and keeps every row once', async () => {
    const real = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const rows = await collect(withExtraRows(fromArray(real), ['g0', 'g1', 'g2'], 10));
    expect(rows).toEqual(['r0', 'r1', 'r2', 'r3', 'g0', 'r4', 'r5', 'r6', 'r7', 'g1', 'r8', 'r9', 'g2']);
    expect(await collect(withExtraRows(fromArray(['a']), [], 1))).toEqual(['a']);
    // More extra rows than real ones: one after each, the rest at the end.
    expect(await collect(withExtraRows(fromArray(['a', 'b']), ['x', 'y', 'z'], 2))).toEqual([
      'a',
      'x',
      'b',
      'y',
      'z',
    ]);
  });
});

describe('generatedImages', () => {
  it('labels count images of a DCGAN, the same seed giving the same images, and refuses what cannot fit', async () => {
    const gan = await train({
      family: 'dcgan',
      hyperparameters: {
        epochs: 1,
        batchSize: 32,
        latentDim: 8,
        width: 4,
        sampleCount: 4,
        learningRate: 0.002,
      },
      seed: 4,
      dataset: { useCase: 'generative', imageShape: shape },
      trainRows: () => fromArray(syntheticImages(64, 7, 8).filter((r) => r.label === '1')),
    });
    const generator = await loadModel(gan.buffer);
    const rows = await generatedImages(generator, { label: '1', count: 70, seed: 3, shape });
    const again = await generatedImages(generator, { label: '1', count: 70, seed: 3, shape });
    expect(rows).toHaveLength(70);
    expect(rows.every((r) => r.label === '1' && r.pixels.length === 64)).toBe(true);
    expect(again.map((r) => Array.from(r.pixels))).toEqual(rows.map((r) => Array.from(r.pixels)));
    await expect(
      generatedImages(generator, {
        label: '1',
        count: 2,
        seed: 3,
        shape: { width: 16, height: 16, channels: 1 },
      }),
    ).rejects.toMatchObject({ code: 'augmentation_shape_mismatch' });
    generator.dispose();
    const cnn = await train({
      family: 'cnn',
      hyperparameters: { epochs: 1, batchSize: 32, depth: 1, width: 4, hiddenUnits: 8 },
      seed: 1,
      dataset: { useCase: 'image', imageShape: shape },
      trainRows: () => fromArray(syntheticImages(64, 1)),
    });
    const classifier = await loadModel(cnn.buffer);
    await expect(generatedImages(classifier, { label: '1', count: 2, seed: 3, shape })).rejects.toMatchObject(
      {
        code: 'augmentation_not_generative',
      },
    );
    classifier.dispose();
  }, 120_000);
});
