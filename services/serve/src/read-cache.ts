/**
 * Registry reads the gateway reuses (endpoint routing, API keys): a key's value is read at most
 * once per `ttlMs`, concurrent callers of a stale key share one read, and while reads fail (the
 * registry restarting) the last successful read is served for up to `maxStaleMs`. At most
 * `maxEntries` keys are kept, the least recently read forgotten first, so keys a client makes
 * up cannot grow it without bound.
 */
import { LatheError, type Logger } from '@lathe/core';

/** How long a last good read is served while the registry cannot be read, by default. */
export const DEFAULT_MAX_STALE_MS = 5 * 60_000;

export interface CachedRead<V> {
  value: V;
  /** Why the value is an old read: the error of the read that failed. */
  staleBecause?: unknown;
}

export interface ReadCache<V> {
  /** The value of `key`, read with `read` when the last read is older than `ttlMs`. */
  get(key: string, read: () => Promise<V>): Promise<CachedRead<V>>;
  /** The next `get` of `key` reads again (a pushed change); the last good read stays for outages. */
  expire(key: string): void;
}

export interface ReadCacheOptions {
  ttlMs: number;
  /** Default DEFAULT_MAX_STALE_MS. */
  maxStaleMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry<V> {
  /** When the current read started; reused until `ttlMs` after. */
  at: number;
  read: Promise<V>;
  /** The last successful read. */
  last?: { value: V; at: number };
}

export function createReadCache<V>(options: ReadCacheOptions): ReadCache<V> {
  const now = options.now ?? (() => performance.now());
  const maxEntries = options.maxEntries ?? 10_000;
  const maxStaleMs = options.maxStaleMs ?? DEFAULT_MAX_STALE_MS;
  const entries = new Map<string, Entry<V>>();

  const fresh = (key: string, read: () => Promise<V>, previous: Entry<V> | undefined): Entry<V> => {
    const entry: Entry<V> = { at: now(), read: read(), ...(previous?.last ? { last: previous.last } : {}) };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    entry.read.then(
      (value) => (entry.last = { value, at: now() }),
      () => entries.get(key) === entry && (entry.at = -Infinity), // read again by the next caller
    );
    return entry;
  };

  return {
    async get(key, read) {
      let entry = entries.get(key);
      if (!entry || now() - entry.at >= options.ttlMs) entry = fresh(key, read, entry);
      try {
        return { value: await entry.read };
      } catch (error) {
        if (entry.last && now() - entry.last.at < maxStaleMs)
          return { value: entry.last.value, staleBecause: error };
        throw error;
      }
    },
    expire(key) {
      const entry = entries.get(key);
      if (entry) entry.at = -Infinity;
    },
  };
}

/**
 * A registry read through `cache`: an old answer served during an outage is logged, and no
 * answer at all becomes a 503 `registry_unavailable` naming what could not be read.
 */
export async function readThroughRegistry<V>(
  cache: ReadCache<V>,
  key: string,
  read: () => Promise<V>,
  context: { logger: Logger; what: string },
): Promise<V> {
  let result: CachedRead<V>;
  try {
    result = await cache.get(key, read);
  } catch (error) {
    throw new LatheError(
      'registry_unavailable',
      `${context.what} cannot be read from the registry: ${(error as Error).message}`,
      { httpStatus: 503, cause: error },
    );
  }
  if (result.staleBecause)
    context.logger.warn(
      { err: result.staleBecause },
      `registry unreachable: using the last read of ${context.what}`,
    );
  return result.value;
}
