import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from './write-batcher.ts';

describe('write batcher', () => {
  it('sends calls made together as one batch and answers each with its own result', async () => {
    const batches: number[][] = [];
    const batcher = createWriteBatcher({
      run: async (items: number[]) => {
        batches.push(items);
        return items.map((n) => n * 10);
      },
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('groups calls that arrive while a batch is in flight into the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createWriteBatcher({
      run: async (items: number[]) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items;
      },
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts two items with the same key in one batch, and respects maxBatch', async () => {
    const batches: string[][] = [];
    const batcher = createWriteBatcher({
      run: async (items: string[]) => {
        batches.push(items);
        return items;
      },
      key: (item) => item.split(':')[0]!,
      maxBatch: 2,
    });
    await Promise.all(['a:1', 'a:2', 'b:1', 'c:1'].map((item) => batcher.submit(item)));
    expect(batches).toEqual([
      ['a:1', 'b:1'],
      ['a:2', 'c:1'],
    ]);
  });

  it('when a batch fails, retries its items one by one so only the bad one fails', async () => {
    const batcher = createWriteBatcher({
      run: async (items: number[]) => {
        if (items.includes(13)) throw new Error(`unlucky batch ${items.join(',')}`);
        return items;
      },
    });
    const settled = await Promise.allSettled([12, 13, 14].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'unlucky batch 13' });
  });
});
