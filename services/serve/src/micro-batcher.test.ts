import { describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/core';
import { createMicroBatcher } from './micro-batcher.ts';

/** A model call the test releases by hand, recording what each call merged. */
function manualModel() {
  const calls: number[][][] = [];
  const pending: Array<() => void> = [];
  const run = (jobs: number[][]) =>
    new Promise<number[][]>((resolve) => {
      calls.push(jobs);
      pending.push(() => resolve(jobs.map((job) => job.map((x) => x * 10))));
    });
  const release = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { calls, run, release };
}

describe('createMicroBatcher', () => {
  it('runs a request at once when idle, merges those that arrive during a call, each gets its own slice', async () => {
    const model = manualModel();
    const batcher = createMicroBatcher(model.run, { maxBatchSize: 8, maxWaitMs: 0, maxQueuedRows: 100 });
    const first = batcher.submit([1], { rows: 1, deadlineMs: 10_000 });
    expect(model.calls).toEqual([[[1]]]);
    const second = batcher.submit([2, 3], { rows: 2, deadlineMs: 10_000 });
    const third = batcher.submit([4], { rows: 1, deadlineMs: 10_000 });
    expect(batcher.queuedRows()).toBe(3);
    await model.release();
    expect(model.calls[1]).toEqual([[2, 3], [4]]);
    await model.release();
    expect(await first).toEqual([10]);
    expect(await second).toEqual([20, 30]);
    expect(await third).toEqual([40]);
  });

  it('never merges past maxBatchSize rows (a larger request still runs alone)', async () => {
    const model = manualModel();
    const batcher = createMicroBatcher(model.run, { maxBatchSize: 3, maxWaitMs: 0, maxQueuedRows: 100 });
    const all = [
      batcher.submit([0], { rows: 1, deadlineMs: 10_000 }),
      batcher.submit([1, 1], { rows: 2, deadlineMs: 10_000 }),
      batcher.submit([2, 2], { rows: 2, deadlineMs: 10_000 }),
      batcher.submit([3, 3, 3, 3], { rows: 4, deadlineMs: 10_000 }),
    ];
    for (let i = 0; i < 4; i++) await model.release();
    await Promise.all(all);
    expect(model.calls.map((c) => c.map((job) => job.length))).toEqual([[1], [2], [2], [4]]);
  });

  it('refuses at once with 503 and a retry hint when the queue is full', async () => {
    const model = manualModel();
    const batcher = createMicroBatcher(model.run, { maxBatchSize: 8, maxWaitMs: 0, maxQueuedRows: 2 });
    const running = batcher.submit([1], { rows: 1, deadlineMs: 10_000 });
    const queued = batcher.submit([2, 2], { rows: 2, deadlineMs: 10_000 });
    const refused = await batcher.submit([3], { rows: 1, deadlineMs: 10_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LatheError);
    expect(refused).toMatchObject({ code: 'overloaded', httpStatus: 503, details: { retryAfterSeconds: 1 } });
    await model.release();
    await model.release();
    expect(await running).toEqual([10]);
    expect(await queued).toEqual([20, 20]);
  });

  it('never holds a queued request past its deadline, and the model never sees it', async () => {
    const model = manualModel();
    const batcher = createMicroBatcher(model.run, { maxBatchSize: 8, maxWaitMs: 0, maxQueuedRows: 100 });
    const running = batcher.submit([1], { rows: 1, deadlineMs: 10_000 });
    const late = batcher.submit([2], { rows: 1, deadlineMs: 5 }).catch((e: unknown) => e);
    expect(await late).toMatchObject({ code: 'deadline_exceeded', httpStatus: 503 });
    expect(batcher.queuedRows()).toBe(0);
    await model.release();
    expect(await running).toEqual([10]);
    expect(model.calls).toEqual([[[1]]]);
  });

  it('retries a failed merged call request by request, so one bad request fails alone', async () => {
    const calls: number[][][] = [];
    const batcher = createMicroBatcher(
      async (jobs: number[][]) => {
        calls.push(jobs);
        if (jobs.some((job) => job.includes(-1))) throw new Error('bad row');
        return jobs.map((job) => job.map((x) => x + 1));
      },
      { maxBatchSize: 8, maxWaitMs: 0, maxQueuedRows: 100 },
    );
    // The first runs alone; the next three queue behind it and are merged.
    const results = await Promise.allSettled([
      batcher.submit([0], { rows: 1, deadlineMs: 10_000 }),
      batcher.submit([1], { rows: 1, deadlineMs: 10_000 }),
      batcher.submit([-1], { rows: 1, deadlineMs: 10_000 }),
      batcher.submit([2], { rows: 1, deadlineMs: 10_000 }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      [1],
      [2],
      'bad row',
      [3],
    ]);
    expect(calls.map((c) => c.length)).toEqual([1, 3, 1, 1, 1]);
  });

  it('waits up to maxWaitMs for company only once traffic is concurrent', async () => {
    const model = manualModel();
    const batcher = createMicroBatcher(model.run, { maxBatchSize: 8, maxWaitMs: 30, maxQueuedRows: 100 });
    // Idle and alone: no wait.
    void batcher.submit([1], { rows: 1, deadlineMs: 10_000 });
    expect(model.calls).toHaveLength(1);
    void batcher.submit([2], { rows: 1, deadlineMs: 10_000 });
    void batcher.submit([3], { rows: 1, deadlineMs: 10_000 });
    await model.release(); // the merged [2],[3] runs: traffic is now concurrent
    expect(model.calls[1]).toHaveLength(2);
    await model.release();
    const lone = batcher.submit([4], { rows: 1, deadlineMs: 10_000 });
    expect(model.calls).toHaveLength(2); // held for company
    const company = batcher.submit([5], { rows: 1, deadlineMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(model.calls[2]).toEqual([[4], [5]]);
    await model.release();
    expect(await lone).toEqual([40]);
    expect(await company).toEqual([50]);
  });
});
