/**
 * Adaptive micro-batching: concurrent requests for one model version become one model call.
 * A model on the wasm backend computes on the event loop, one call at a time, and much of a
 * small call's cost is fixed (tensor set-up, kernel dispatch, reading results back), so rows
 * merged into one call cost far less each than rows called one by one.
 *
 * Adaptive: an idle model runs a request at once (no added wait at low traffic); while a call
 * runs, requests queue and the next call takes as many as fit in `maxBatchSize` rows. Only when
 * the last call merged several requests (so traffic is concurrent) does a lone request wait, at
 * most `maxWaitMs`, for others to join it. The queue is bounded (`maxQueuedRows`): past it a
 * request is refused at once with 503 and `Retry-After`, never queued without bound; and a
 * queued request is never held past its deadline (503 `deadline_exceeded`). A call that fails
 * for a merged batch is retried request by request, so one request's failure stays its own.
 */
import { LatheError } from '@lathe/core';

export interface MicroBatchOptions {
  /** Most rows (instances, scored pairs) in one model call; one larger request still runs alone. */
  maxBatchSize: number;
  /** Longest a request waits for others to join its batch. */
  maxWaitMs: number;
  /** Most rows waiting; a request that would exceed it gets 503 at once. */
  maxQueuedRows: number;
}

export interface BatchObserver {
  /** Called once per model call with the number of requests and rows it merged. */
  (batch: { requests: number; rows: number }): void;
}

interface Pending<J, R> {
  job: J;
  rows: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface MicroBatcher<J, R> {
  /** The result of `job`, computed in a batch; rejects with 503 when the queue is full or the deadline passes. */
  submit(job: J, options: { rows: number; deadlineMs: number }): Promise<R>;
  /** Rows waiting now. */
  queuedRows(): number;
}

/** Seconds a refused client should wait before retrying: about the time to drain the queue, at least 1. */
const RETRY_AFTER_S = 1;

export function overloaded(message: string): LatheError {
  return new LatheError('overloaded', message, {
    httpStatus: 503,
    details: { retryAfterSeconds: RETRY_AFTER_S },
  });
}

export function createMicroBatcher<J, R>(
  run: (jobs: J[]) => Promise<R[]>,
  options: MicroBatchOptions & { observe?: BatchObserver },
): MicroBatcher<J, R> {
  const queue: Array<Pending<J, R>> = [];
  let queued = 0;
  let running = false;
  let waiting: NodeJS.Timeout | undefined;
  let lastBatchRequests = 1;

  const take = (): Array<Pending<J, R>> => {
    const batch: Array<Pending<J, R>> = [];
    let rows = 0;
    while (queue.length > 0 && (batch.length === 0 || rows + queue[0]!.rows <= options.maxBatchSize)) {
      const next = queue.shift()!;
      clearTimeout(next.timer);
      rows += next.rows;
      batch.push(next);
    }
    queued -= rows;
    return batch;
  };

  const execute = async (batch: Array<Pending<J, R>>) => {
    options.observe?.({ requests: batch.length, rows: batch.reduce((n, p) => n + p.rows, 0) });
    try {
      const results = await run(batch.map((p) => p.job));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Which request broke the merged call is unknown: each runs alone and keeps its own answer.
      for (const p of batch) {
        options.observe?.({ requests: 1, rows: p.rows });
        await run([p.job]).then(
          ([result]) => p.resolve(result!),
          (own: unknown) => p.reject(own),
        );
      }
    }
  };

  const dispatch = () => {
    waiting = undefined;
    if (running || queue.length === 0) return;
    running = true;
    const batch = take();
    lastBatchRequests = batch.length;
    void execute(batch).finally(() => {
      running = false;
      schedule();
    });
  };

  const schedule = () => {
    if (running || queue.length === 0) return;
    const full = queued >= options.maxBatchSize;
    if (waiting && !full) return;
    clearTimeout(waiting);
    const concurrent = lastBatchRequests > 1;
    if (full || !concurrent || options.maxWaitMs <= 0) {
      dispatch();
      return;
    }
    waiting = setTimeout(dispatch, options.maxWaitMs);
  };

  return {
    submit(job, { rows, deadlineMs }) {
      if (queued + rows > options.maxQueuedRows && queue.length > 0) {
        return Promise.reject(
          overloaded(
            `the model is busy: ${queued} rows are queued (at most ${options.maxQueuedRows}); retry shortly`,
          ),
        );
      }
      return new Promise<R>((resolve, reject) => {
        const pending: Pending<J, R> = { job, rows, resolve, reject, timer: undefined };
        pending.timer = setTimeout(() => {
          const at = queue.indexOf(pending);
          if (at === -1) return; // already in a model call: it answers
          queue.splice(at, 1);
          queued -= rows;
          reject(
            new LatheError('deadline_exceeded', `the request waited ${deadlineMs} ms for the model; retry`, {
              httpStatus: 503,
              details: { retryAfterSeconds: RETRY_AFTER_S },
            }),
          );
        }, deadlineMs);
        queue.push(pending);
        queued += rows;
        schedule();
      });
    },
    queuedRows: () => queued,
  };
}
