/**
 * Group commit for registry writes: calls that arrive while a statement is in flight wait and
 * go together in the next one, so N concurrent jobs cost about one round trip instead of N.
 * A lone call is sent on the next turn of the event loop (no timer, no added latency to speak
 * of); under load batches grow by themselves. This is the group-commit idea of database logs
 * (Gawlick & Kinkade, "Varieties of concurrency control in IMS/VS Fast Path", 1985) applied
 * to a client.
 */

export interface WriteBatcherOptions<I, O> {
  /** Does the work of many calls in one go; returns one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /** Most items in one batch. */
  maxBatch?: number;
  /** Items with the same key never share a batch (e.g. two writes to one run); undefined: no key. */
  key?: (item: I) => string | undefined;
}

export interface WriteBatcher<I, O> {
  submit(item: I): Promise<O>;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createWriteBatcher<I, O>(options: WriteBatcherOptions<I, O>): WriteBatcher<I, O> {
  const maxBatch = options.maxBatch ?? 64;
  let queue: Array<Pending<I, O>> = [];
  let busy = false;

  const take = (): Array<Pending<I, O>> => {
    if (!options.key) return queue.splice(0, maxBatch);
    const keys = new Set<string>();
    const batch: Array<Pending<I, O>> = [];
    const rest: Array<Pending<I, O>> = [];
    for (const pending of queue) {
      const key = options.key(pending.item);
      if (batch.length < maxBatch && (key === undefined || !keys.has(key))) {
        if (key !== undefined) keys.add(key);
        batch.push(pending);
      } else {
        rest.push(pending);
      }
    }
    queue = rest;
    return batch;
  };

  const runOne = async (pending: Pending<I, O>) => {
    try {
      const [result] = await options.run([pending.item]);
      pending.resolve(result as O);
    } catch (error) {
      pending.reject(error);
    }
  };

  const flush = async () => {
    const batch = take();
    try {
      const results = await options.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      // One bad item (a foreign key, a deadlock victim) must not fail the others: alone, each
      // item succeeds or fails on its own merits.
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map(runOne));
    } finally {
      busy = false;
      schedule();
    }
  };

  function schedule() {
    if (busy || queue.length === 0) return;
    busy = true;
    setImmediate(() => void flush());
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
