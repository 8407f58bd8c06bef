/**
 * A/B events on their way to the registry. Exposures (one per prediction in a test) are
 * buffered and written together every `flushMs`, so serving does not wait on Postgres; an
 * outcome is written before it is acknowledged. Keys make every write idempotent (abEventKey),
 * so a batch that failed is simply written again later, and a client retrying an outcome whose
 * answer it never got adds nothing. Nothing buffered is dropped: while the registry is
 * unreachable the buffer grows up to `maxBuffered`, and then serving A/B traffic fails with
 * 503 instead of serving predictions whose exposures would be lost. Closing writes what is left.
 */
import { LatheError, type Logger } from '@lathe/core';
import { recordAbEvents, type NewAbEvent, type Registry } from '@lathe/registry';

export interface AbEventLog {
  /** Buffers an exposure (written within `flushMs`). */
  expose(abTestId: string, event: NewAbEvent): void;
  /** Stores an outcome (and whatever is buffered) before resolving. */
  record(abTestId: string, event: NewAbEvent): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const WRITE_CHUNK = 1_000;

export function createAbEventLog(deps: { registry: Registry; flushMs: number; maxBuffered?: number; logger: Logger }): AbEventLog {
  const maxBuffered = deps.maxBuffered ?? 100_000;
  let buffer: Array<{ abTestId: string; event: NewAbEvent }> = [];
  let writing: Promise<void> = Promise.resolve();

  const write = async () => {
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    const byTest = new Map<string, NewAbEvent[]>();
    for (const { abTestId, event } of batch) {
      const events = byTest.get(abTestId);
      if (events) events.push(event);
      else byTest.set(abTestId, [event]);
    }
    const written = new Set<string>();
    try {
      for (const [abTestId, events] of byTest) {
        // Bounded statements: after an outage the buffer may hold far more than one insert should.
        for (let start = 0; start < events.length; start += WRITE_CHUNK) {
          await recordAbEvents(deps.registry, abTestId, events.slice(start, start + WRITE_CHUNK));
        }
        written.add(abTestId);
      }
    } catch (error) {
      // Kept for the next flush, ahead of what came since.
      buffer = [...batch.filter((b) => !written.has(b.abTestId)), ...buffer];
      throw error;
    }
  };
  const flush = () => {
    writing = writing.catch(() => undefined).then(write);
    return writing;
  };

  const timer = setInterval(() => {
    flush().catch((error: unknown) => deps.logger.error({ err: error, buffered: buffer.length }, 'A/B events not written; retrying'));
  }, deps.flushMs);
  timer.unref();

  return {
    expose(abTestId, event) {
      if (buffer.length >= maxBuffered) {
        throw new LatheError('event_log_full', `${buffer.length} A/B events are waiting for the registry; not serving A/B traffic until they are written`, { httpStatus: 503 });
      }
      buffer.push({ abTestId, event });
    },
    async record(abTestId, event) {
      buffer.push({ abTestId, event });
      try {
        await flush();
      } catch (error) {
        // Kept in the buffer and written later; the caller may retry with the same key meanwhile.
        throw new LatheError('registry_unavailable', `the outcome is not stored yet (${(error as Error).message}); retry with the same idempotency key`, { httpStatus: 503, cause: error });
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
