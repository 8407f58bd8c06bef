import { describe, expect, it } from 'vitest';
import { throttledStopCheck } from './cancel-poll.ts';

describe('throttledStopCheck', () => {
  it('asks at most once per interval, remembers a stop, and reads the abort signal every time', async () => {
    let clock = 0;
    let asked = 0;
    let cancelled = false;
    const controller = new AbortController();
    const shouldStop = throttledStopCheck(async () => (asked++, cancelled), {
      intervalMs: 250,
      signal: controller.signal,
      now: () => clock,
    });

    expect(await shouldStop()).toBe(false); // the first call asks
    expect(asked).toBe(1);
    clock = 249;
    cancelled = true;
    expect(await shouldStop()).toBe(false); // within the interval: not asked again
    expect(asked).toBe(1);
    clock = 250;
    expect(await shouldStop()).toBe(true);
    expect(asked).toBe(2);
    clock = 260;
    expect(await shouldStop()).toBe(true); // a stop stays a stop, without asking
    expect(asked).toBe(2);

    const fresh = throttledStopCheck(async () => (asked++, false), {
      intervalMs: 250,
      signal: controller.signal,
      now: () => clock,
    });
    expect(await fresh()).toBe(false);
    controller.abort();
    expect(await fresh()).toBe(true); // the signal needs no wait for the interval
  });
});
