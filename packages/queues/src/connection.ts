/**
 * Redis connections for BullMQ; every connection made here is closed by its owner.
 * Workers (and anything else that blocks on Redis) need `maxRetriesPerRequest: null`: a
 * blocking command must wait out a reconnect. Producers should fail fast instead (BullMQ's
 * advice), so that a request made while Redis is down gets an error rather than hanging:
 * `connectProducerRedis`.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisConnectionInput = string | RedisOptions;

function connect(input: RedisConnectionInput, options: RedisOptions): Redis {
  return typeof input === 'string' ? new Redis(input, options) : new Redis({ ...input, ...options });
}

export function connectRedis(input: RedisConnectionInput, name?: string): Redis {
  return connect(input, { maxRetriesPerRequest: null, ...(name ? { connectionName: name } : {}) });
}

/** A connection for adding jobs and reading queues: a command fails after a few reconnect attempts. */
export function connectProducerRedis(input: RedisConnectionInput, name?: string): Redis {
  return connect(input, { maxRetriesPerRequest: 3, ...(name ? { connectionName: name } : {}) });
}
