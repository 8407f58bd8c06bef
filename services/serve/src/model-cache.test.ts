import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '@lathe/ml';
import { createModelCache } from './model-cache.ts';

/** A stand-in for a loaded tfjs model: what the cache does with it is all that is observed. */
function fakeModels() {
  const disposed: string[] = [];
  let failNext = false;
  const load = async (id: string) => {
    if (failNext) {
      failNext = false;
      throw new Error(`artifact of ${id} is missing`);
    }
    return {
      predict: async () => [{ label: id }],
      dispose: () => disposed.push(id),
    } as unknown as LoadedModel;
  };
  return { load, disposed, failOnce: () => (failNext = true) };
}

describe('model cache', () => {
  it('loads a model once for concurrent and later requests, and keeps the most recently used', async () => {
    const fake = fakeModels();
    const cache = createModelCache({ load: fake.load, size: 2 });
    await Promise.all([cache.use('a', async () => 1), cache.use('a', async () => 2)]);
    await cache.use('b', async () => 3);
    await cache.use('a', async () => 4); // a is now the most recent
    expect(cache.stats()).toEqual({ loaded: 2, loads: 2 });
    await cache.use('c', async () => 5); // evicts b, the least recently used
    expect(fake.disposed).toEqual(['b']);
    await cache.use('b', async () => 6); // loaded again; evicts a
    expect(cache.stats()).toEqual({ loaded: 2, loads: 4 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.disposed).toEqual(['b', 'a']);
  });

  it('disposes an evicted model only after the prediction using it has finished', async () => {
    const fake = fakeModels();
    const cache = createModelCache({ load: fake.load, size: 1 });
    let finish!: () => void;
    const slow = cache.use('a', () => new Promise<void>((resolve) => (finish = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    await cache.use('b', async () => undefined); // a is evicted while in use
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.disposed).toEqual([]);
    finish();
    await slow;
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.disposed).toEqual(['a']);
  });

  it('does not keep a failed load: the next request loads again', async () => {
    const fake = fakeModels();
    const cache = createModelCache({ load: fake.load, size: 2 });
    fake.failOnce();
    await expect(cache.use('a', async () => 1)).rejects.toThrow('artifact of a is missing');
    expect(await cache.use('a', async (model) => (await model.predict([]))[0]!.label)).toBe('a');
    expect(cache.stats()).toEqual({ loaded: 1, loads: 2 });
  });
});
