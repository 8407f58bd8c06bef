import { describe, expect, it } from 'vitest';
import { latestOnly } from './latest-only.ts';

describe('latestOnly', () => {
  it('sends one value at a time, and of those that arrive meanwhile only the latest', async () => {
    const sent: number[] = [];
    const finish: Array<() => void> = [];
    const push = latestOnly<number>((value) => {
      sent.push(value);
      return new Promise<void>((resolve) => finish.push(resolve));
    });
    push(1);
    push(2);
    push(3);
    expect(sent).toEqual([1]);
    finish.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([1, 3]);
    finish.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    push(4);
    expect(sent).toEqual([1, 3, 4]);
  });
});
