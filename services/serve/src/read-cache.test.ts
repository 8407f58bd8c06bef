import { describe, expect, it } from 'vitest';
import { createReadCache } from './read-cache.ts';

describe('read cache', () => {
  it('reads a key at most once per TTL, sharing a read between concurrent callers', async () => {
    let clock = 0;
    let reads = 0;
    const cache = createReadCache<number>({ ttlMs: 100, maxStaleMs: 1_000, now: () => clock });
    const read = async () => ++reads;
    const [a, b] = await Promise.all([cache.get('k', read), cache.get('k', read)]);
    expect([a.value, b.value, reads]).toEqual([1, 1, 1]);
    clock = 99;
    expect((await cache.get('k', read)).value).toBe(1);
    clock = 100;
    expect((await cache.get('k', read)).value).toBe(2);
  });

  it('serves the last good read while reads fail, up to maxStaleMs, then the error', async () => {
    let clock = 0;
    const cache = createReadCache<string>({ ttlMs: 10, maxStaleMs: 100, now: () => clock });
    await cache.get('k', async () => 'good');
    const down = new Error('connection refused');
    clock = 50;
    const stale = await cache.get('k', async () => Promise.reject(down));
    expect(stale).toEqual({ value: 'good', staleBecause: down });
    clock = 120; // the good read is 120 ms old
    await expect(cache.get('k', async () => Promise.reject(down))).rejects.toBe(down);
    // A key never read has nothing to fall back on.
    await expect(cache.get('other', async () => Promise.reject(down))).rejects.toBe(down);
    // A failed read is not reused: the next caller reads again, within the TTL.
    expect((await cache.get('k', async () => 'back')).value).toBe('back');
  });

  it('forgets the least recently read key beyond maxEntries', async () => {
    let reads = 0;
    const cache = createReadCache<number>({ ttlMs: 1_000, maxStaleMs: 0, maxEntries: 2, now: () => 0 });
    const read = async () => ++reads;
    await cache.get('a', read);
    await cache.get('b', read);
    await cache.get('c', read); // forgets a
    expect(reads).toBe(3);
    await cache.get('b', read);
    expect(reads).toBe(3);
    await cache.get('a', read);
    expect(reads).toBe(4);
  });
});
