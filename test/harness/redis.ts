/**
 * Each test file gets its own Redis key prefix; `cleanup()` deletes its keys. BullMQ takes the
 * prefix as its `prefix` option, so queues of different files never meet.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { servicesEnv } from './services-env.ts';

export interface TestRedis {
  prefix: string;
  redisUrl: string;
  /** A connection suitable for BullMQ workers (maxRetriesPerRequest: null). */
  connect(): Redis;
  /** Deletes every key under the prefix (what FLUSHALL would do to this file's share). */
  flush(): Promise<number>;
  cleanup(): Promise<void>;
}

export function createTestRedis(label = 't'): TestRedis {
  const env = servicesEnv();
  if (!env) throw new Error('REDIS_URL unknown: run through `npm test` or `npm run up` first');
  const prefix = `lathe-test:${label}:${randomBytes(4).toString('hex')}`;
  const connections: Redis[] = [];
  const connect = () => {
    const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  const flush = async () => {
    const admin = new Redis(env.redisUrl);
    let deleted = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await admin.del(...keys);
      } while (cursor !== '0');
    } finally {
      admin.disconnect();
    }
    return deleted;
  };
  return {
    prefix,
    redisUrl: env.redisUrl,
    connect,
    flush,
    async cleanup() {
      await flush();
      for (const connection of connections) connection.disconnect();
    },
  };
}
