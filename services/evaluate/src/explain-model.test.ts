import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDataset } from '@lathe/contract';
import { loadModel, selectBackend, train } from '@lathe/ml';
import {
  fromArray,
  smallImageClassifier,
  syntheticImages,
} from '../../../packages/ml/src/testing/synthetic.ts';
import { IMAGES_PER_CLASS, IMAGE_STEPS, explainModel } from './explain-model.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };

describe('explainModel for images', () => {
  it('stores one averaged attribution map per class, brightest where the class is drawn', async () => {
    const result = await train(smallImageClassifier());
    const model = await loadModel(result.buffer);
    const test = syntheticImages(120, 2);
    const dataset: OpenedDataset = {
      metadata: { useCase: 'image', imageShape: shape },
      counts: { train: 0, validation: 0, test: test.length },
      rows: () => fromArray(test),
    };
    const explanation = await explainModel(model, dataset, 'image', 7);
    model.dispose();
    expect(explanation).toMatchObject({
      method: 'integrated_gradients',
      over: 'pixels',
      baseline: 'black',
      steps: IMAGE_STEPS,
      rows: 3 * IMAGES_PER_CLASS,
      shape,
    });
    if (explanation?.method !== 'integrated_gradients') throw new Error('expected pixel attributions');
    expect(explanation.classes.map((c) => c.label)).toEqual(['0', '1', '2']);
    const mass = (label: string, inside: (x: number, y: number) => boolean) =>
      explanation.classes
        .find((c) => c.label === label)!
        .map.reduce((sum, v, i) => sum + (inside(i % 8, Math.floor(i / 8)) ? v : 0), 0);
    // Class 0 is bright on the left half, class 1 on the top half (testing/synthetic.ts).
    expect(mass('0', (x) => x < 4)).toBeGreaterThan(mass('0', (x) => x >= 4));
    expect(mass('1', (_, y) => y < 4)).toBeGreaterThan(mass('1', (_, y) => y >= 4));
    for (const c of explanation.classes) expect(c.map).toHaveLength(64);
  }, 120_000);
});
