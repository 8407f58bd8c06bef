/**
 * Start-up check: a process that cannot reach Redis says so in one line naming REDIS_URL and
 * exits, instead of hanging in ioredis's reconnect loop (workers retry forever by design).
 */
import { Redis } from 'ioredis';
import { ConfigError, redactUrl } from '@lathe/core';

export async function assertRedisReachable(redisUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports the socket's error here and rejects connect() with "Connection is closed.";
  // keep the first so the message names the real cause (ECONNREFUSED, ENOTFOUND…).
  let socketError: NodeJS.ErrnoException | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const cause = socketError ?? (error as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new ConfigError(
      `REDIS_URL: cannot connect to ${redactUrl(redisUrl)} (${reason}); expected a reachable Redis server (run \`npm run up\`)`,
      { variable: 'REDIS_URL' },
    );
  } finally {
    client.disconnect();
  }
}
