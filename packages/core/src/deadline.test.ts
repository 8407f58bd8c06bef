import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.ts';

describe('withDeadline', () => {
  it('passes the work through when it is in time, and rejects with the timeout error when it is not', async () => {
    expect(await withDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).toBe(7);
    await expect(
      withDeadline(Promise.reject(new Error('own failure')), 1_000, () => new Error('late')),
    ).rejects.toThrow('own failure');
    let timedOut = false;
    const never = new Promise<number>(() => undefined);
    await expect(
      withDeadline(never, 10, () => {
        timedOut = true;
        return new Error('no answer in 10 ms');
      }),
    ).rejects.toThrow('no answer in 10 ms');
    expect(timedOut).toBe(true);
  });
});
