/**
 * Routing changes announced over Redis pub/sub: whoever changes what serves an endpoint (a
 * blue-green switch, a shadow started, a promotion) publishes the endpoint's name, and every
 * gateway subscribed expires that endpoint's routing at once instead of at its next refresh.
 * Postgres stays the source of truth: a lost message (Redis down, a gateway reconnecting)
 * only means the routing TTL decides when the change arrives.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@lathe/core';

export const routingChannel = (prefix: string) => `${prefix}:routing-changes`;

/** Tells every gateway that `endpoint`'s routing changed; never fails the caller's change. */
export async function announceRoutingChange(
  redis: Redis,
  prefix: string,
  endpoint: string,
  logger?: Logger,
): Promise<void> {
  try {
    await redis.publish(routingChannel(prefix), endpoint);
  } catch (error) {
    logger?.warn(
      { err: error, endpoint },
      'routing change not announced; gateways pick it up at their refresh',
    );
  }
}

/** A publisher of routing changes with its own connection, for a process that has none at hand. */
export function createRoutingAnnouncer(options: { redisUrl: string; prefix: string; logger: Logger }): {
  announce(endpoint: string): Promise<void>;
  close(): Promise<void>;
} {
  const publisher = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  publisher.on('error', (error: unknown) =>
    options.logger.warn(
      { err: error },
      'routing changes: Redis unreachable; gateways refresh by TTL meanwhile',
    ),
  );
  return {
    announce: (endpoint) => announceRoutingChange(publisher, options.prefix, endpoint, options.logger),
    async close() {
      publisher.disconnect();
    },
  };
}

export interface RoutingSubscription {
  /** Resolves once the subscription is active. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Calls `onChange(endpoint)` for each announced change (its own connection: a subscriber can do nothing else). */
export function subscribeRoutingChanges(options: {
  redisUrl: string;
  prefix: string;
  onChange: (endpoint: string) => void;
  logger: Logger;
}): RoutingSubscription {
  const channel = routingChannel(options.prefix);
  const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  subscriber.on('error', (error: unknown) =>
    options.logger.warn(
      { err: error },
      'routing changes: Redis unreachable; routing refreshes by TTL meanwhile',
    ),
  );
  subscriber.on('message', (from: string, endpoint: string) => {
    if (from === channel) options.onChange(endpoint);
  });
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch((error: unknown) => options.logger.warn({ err: error }, 'routing changes: not subscribed'));
  return {
    ready,
    async close() {
      subscriber.disconnect();
    },
  };
}
