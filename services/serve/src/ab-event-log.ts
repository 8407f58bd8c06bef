/**
 * A/B events on their way to the registry. Exposures (one per prediction in a test) and the
 * gateway's request health per arm (requests, server errors, slow requests, a latency
 * histogram: the guardrails' data) are buffered and written together every `flushMs`, so
 * serving does not wait on Postgres; an outcome is written (with whatever is buffered, so its
 * unit's exposure is written first) before it is acknowledged. Keys make every event write
 * idempotent (abEventKey), so a batch that failed is simply written again later, and a client
 * retrying an outcome whose answer it never got adds nothing. Nothing buffered is dropped:
 * while the registry is unreachable the buffer grows up to `maxBuffered`, and then serving A/B
 * traffic fails with 503 instead of serving predictions whose exposures would be lost. Closing
 * writes what is left.
 *
 * Request counts are not idempotent (they are sums): a flush that failed keeps its counts and
 * adds them to the next one, and one whose commit is unknown may count a few requests twice —
 * a guardrail's rate, not a unit's outcome.
 */
import { LatheError, type Logger } from '@lathe/core';
import { LATENCY_BUCKETS_MS } from '@lathe/experiments';
import {
  recordAbEvents,
  recordRequestStats,
  recordUnitOutcomes,
  type NewAbEvent,
  type NewUnitOutcome,
  type Registry,
  type RequestStatDelta,
} from '@lathe/registry';

export interface ServedRequest {
  abTestId: string;
  variantId: string;
  step: number;
  latencyMs: number;
  failed: boolean;
  slowThresholdMs: number;
}

export interface AbEventLog {
  /** Buffers an exposure (written within `flushMs`). */
  expose(abTestId: string, event: NewAbEvent): void;
  /** Counts a request answered for an arm (written within `flushMs`). */
  served(request: ServedRequest): void;
  /** Stores an outcome at the endpoint and, in a test, for the unit's arm (and whatever is buffered) before resolving. */
  record(outcome: NewUnitOutcome, abTest: { abTestId: string; event: NewAbEvent } | null): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const WRITE_CHUNK = 1_000;
const BUCKETS = LATENCY_BUCKETS_MS.length + 1;

export function createAbEventLog(deps: {
  registry: Registry;
  flushMs: number;
  maxBuffered?: number;
  logger: Logger;
}): AbEventLog {
  const maxBuffered = deps.maxBuffered ?? 100_000;
  let buffer: Array<{ abTestId: string; event: NewAbEvent }> = [];
  let outcomes: NewUnitOutcome[] = [];
  let requests = new Map<string, { abTestId: string } & RequestStatDelta>();
  let writing: Promise<void> = Promise.resolve();

  const write = async () => {
    const batch = buffer;
    const endpointOutcomes = outcomes;
    const requestBatch = requests;
    buffer = [];
    outcomes = [];
    requests = new Map();
    const byTest = new Map<string, NewAbEvent[]>();
    for (const { abTestId, event } of batch) {
      const events = byTest.get(abTestId);
      if (events) events.push(event);
      else byTest.set(abTestId, [event]);
    }
    const written = new Set<string>();
    let outcomesWritten = false;
    let requestsWritten = false;
    try {
      // The endpoint's history first: a unit's covariate is read from it when its exposure is written.
      for (let start = 0; start < endpointOutcomes.length; start += WRITE_CHUNK)
        await recordUnitOutcomes(deps.registry, endpointOutcomes.slice(start, start + WRITE_CHUNK));
      outcomesWritten = true;
      for (const [abTestId, events] of byTest) {
        // Bounded statements: after an outage the buffer may hold far more than one insert should.
        for (let start = 0; start < events.length; start += WRITE_CHUNK) {
          await recordAbEvents(deps.registry, abTestId, events.slice(start, start + WRITE_CHUNK));
        }
        written.add(abTestId);
      }
      const perTest = new Map<string, RequestStatDelta[]>();
      for (const { abTestId, ...delta } of requestBatch.values())
        perTest.set(abTestId, [...(perTest.get(abTestId) ?? []), delta]);
      for (const [abTestId, deltas] of perTest) await recordRequestStats(deps.registry, abTestId, deltas);
      requestsWritten = true;
    } catch (error) {
      // Kept for the next flush, ahead of what came since.
      buffer = [...batch.filter((b) => !written.has(b.abTestId)), ...buffer];
      if (!outcomesWritten) outcomes = [...endpointOutcomes, ...outcomes];
      if (!requestsWritten) for (const [key, delta] of requestBatch) addRequests(requests, key, delta);
      throw error;
    }
  };
  const flush = () => {
    writing = writing.catch(() => undefined).then(write);
    return writing;
  };

  const timer = setInterval(() => {
    flush().catch((error: unknown) =>
      deps.logger.error({ err: error, buffered: buffer.length }, 'A/B events not written; retrying'),
    );
  }, deps.flushMs);
  timer.unref();

  return {
    expose(abTestId, event) {
      if (buffer.length >= maxBuffered) {
        throw new LatheError(
          'event_log_full',
          `${buffer.length} A/B events are waiting for the registry; not serving A/B traffic until they are written`,
          { httpStatus: 503 },
        );
      }
      buffer.push({ abTestId, event });
    },
    served(request) {
      const histogram = new Array<number>(BUCKETS).fill(0);
      const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => request.latencyMs <= bound);
      histogram[bucket === -1 ? BUCKETS - 1 : bucket] = 1;
      addRequests(requests, `${request.abTestId}\u0000${request.variantId}\u0000${request.step}`, {
        abTestId: request.abTestId,
        variantId: request.variantId,
        step: request.step,
        requests: 1,
        errors: request.failed ? 1 : 0,
        slow: request.latencyMs > request.slowThresholdMs ? 1 : 0,
        latencySumMs: request.latencyMs,
        latencyHistogram: histogram,
      });
    },
    async record(outcome, abTest) {
      outcomes.push(outcome);
      if (abTest) buffer.push({ abTestId: abTest.abTestId, event: abTest.event });
      try {
        await flush();
      } catch (error) {
        // Kept in the buffer and written later; the caller may retry with the same key meanwhile.
        throw new LatheError(
          'registry_unavailable',
          `the outcome is not stored yet (${(error as Error).message}); retry with the same idempotency key`,
          { httpStatus: 503, cause: error },
        );
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

function addRequests(
  into: Map<string, { abTestId: string } & RequestStatDelta>,
  key: string,
  delta: { abTestId: string } & RequestStatDelta,
): void {
  const current = into.get(key);
  if (!current) {
    into.set(key, { ...delta, latencyHistogram: [...delta.latencyHistogram] });
    return;
  }
  current.requests += delta.requests;
  current.errors += delta.errors;
  current.slow += delta.slow;
  current.latencySumMs += delta.latencySumMs;
  delta.latencyHistogram.forEach(
    (n, i) => (current.latencyHistogram[i] = (current.latencyHistogram[i] ?? 0) + n),
  );
}
