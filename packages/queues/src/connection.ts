/**
 * Redis connections for BullMQ. Workers block on Redis, so they need
 * `maxRetriesPerRequest: null`; every connection made here is closed by its owner.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisConnectionInput = string | RedisOptions;

export function connectRedis(input: RedisConnectionInput, name?: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, ...(name ? { connectionName: name } : {}) };
  return typeof input === 'string' ? new Redis(input, options) : new Redis({ ...input, ...options });
}
