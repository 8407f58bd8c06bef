import { describe, expect, it } from 'vitest';
import { AttemptAbort } from './attempt-abort.ts';

describe('attempt abort', () => {
  it('aborts a signal read before the abort, with the reason', () => {
    const attempt = new AttemptAbort();
    const signal = attempt.signal;
    expect(signal.aborted).toBe(false);
    attempt.abort('timeout');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('timeout');
  });

  it('hands out an already aborted signal when first read after the abort', () => {
    const attempt = new AttemptAbort();
    attempt.abort('timeout');
    expect(attempt.aborted).toBe(true);
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.signal.reason).toBe('timeout');
  });

  it('keeps the first reason: a later abort (the runner always aborts at the end) does not replace it', () => {
    const attempt = new AttemptAbort();
    expect(attempt.reason).toBeUndefined();
    attempt.abort('cancelled');
    attempt.abort();
    expect(attempt.reason).toBe('cancelled');
  });
});
