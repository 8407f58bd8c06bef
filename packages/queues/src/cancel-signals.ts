/**
 * Push-based cancel. `cancelRun` records the request in Postgres (the source of truth) and then
 * publishes the run id on one Redis channel per installation (the queue prefix); each worker
 * group subscribes and stops that run's active attempts at once. A stage's `shouldStop()` is
 * then a memory read, cheap enough for every batch or progress tick, wherever the API and the
 * workers run.
 *
 * Redis pub/sub is fire-and-forget: a subscriber that was reconnecting misses the message. So
 * every attempt also polls the registry now and then (see cancel-poll.ts); a lost message delays
 * a cancel by at most that interval and never loses it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '@lathe/core';
import { connectRedis, type RedisConnectionInput } from './connection.ts';

export const cancelChannel = (prefix: string) => `${prefix}:lathe:cancel`;

/** Announces a recorded cancel request to every worker group of the installation. */
export async function publishCancel(redis: Redis, prefix: string, runId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), runId);
}

export interface CancelSignals {
  /** Calls `onCancel` when a cancel of the run is announced, until the returned function is called. */
  watch(runId: string, onCancel: () => void): () => void;
  close(): Promise<void>;
}

/** Watches of active attempts by run, fed by announcements (a pure registry, tested alone). */
export function createCancelWatches() {
  const watches = new Map<string, Set<() => void>>();
  return {
    watch(runId: string, onCancel: () => void): () => void {
      let set = watches.get(runId);
      if (!set) watches.set(runId, (set = new Set()));
      set.add(onCancel);
      return () => {
        set.delete(onCancel);
        if (set.size === 0 && watches.get(runId) === set) watches.delete(runId);
      };
    },
    announce(runId: string): number {
      const set = watches.get(runId);
      if (!set) return 0;
      for (const onCancel of [...set]) onCancel();
      return set.size;
    },
    get size() {
      return watches.size;
    },
  };
}

/** Subscribes to the installation's cancel announcements (a connection of its own). */
export async function subscribeCancels(options: {
  connection: RedisConnectionInput;
  prefix: string;
  logger: Logger;
}): Promise<CancelSignals> {
  const watches = createCancelWatches();
  const subscriber = connectRedis(options.connection, 'lathe-cancel-subscriber');
  const channel = cancelChannel(options.prefix);
  subscriber.on('message', (from: string, runId: string) => {
    if (from !== channel) return;
    const stopped = watches.announce(runId);
    if (stopped > 0)
      options.logger.info({ runId, attempts: stopped }, 'cancel announced: stopping the active attempt');
  });
  subscriber.on('error', (error) =>
    options.logger.warn({ err: error }, 'cancel subscriber: Redis error (cancels fall back to polling)'),
  );
  // ioredis subscribes again by itself after a reconnect.
  await subscriber.subscribe(channel);
  return {
    watch: watches.watch,
    async close() {
      subscriber.disconnect();
    },
  };
}
