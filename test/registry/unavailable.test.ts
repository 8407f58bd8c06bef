/**
 * "Postgres cannot be reached" told apart from every other registry error: against a port
 * nothing listens on (every shape: Prisma's queries, raw SQL, the hot path's pg pool) and
 * against the real test database (a duplicate, a missing row: not an outage).
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimStages,
  createRegistry,
  ensureDataset,
  getRun,
  isRegistryUnavailable,
  registryUnavailable,
  type Registry,
} from '@lathe/registry';
import { createTestDatabase, freePort, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let down: Registry;

beforeAll(async () => {
  db = await createTestDatabase('unavailable');
  down = createRegistry({ databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/lathe` });
});
afterAll(async () => {
  await down.$disconnect();
  await db.drop();
});

const caught = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('registryUnavailable', () => {
  it('recognises an unreachable Postgres in Prisma queries, raw SQL and the hot path', async () => {
    for (const work of [
      () => down.run.count(),
      () => down.$queryRawUnsafe('SELECT 1'),
      () => claimStages(down, [{ runId: 'r', stage: 'ingest' }]),
    ]) {
      const error = await caught(work());
      expect(error).toBeDefined();
      expect(registryUnavailable(error)).toMatchObject({ code: 'registry_unavailable', httpStatus: 503 });
    }
  });

  it('gives up on a server that accepts connections but never answers, after connectTimeoutMs', async () => {
    // A dead host behind a live route: the TCP handshake succeeds, Postgres never speaks.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const hung = createRegistry({
      databaseUrl: `postgresql://postgres@127.0.0.1:${port}/lathe`,
      connectTimeoutMs: 300,
    });
    try {
      for (const work of [
        () => hung.run.count(),
        () => claimStages(hung, [{ runId: 'r', stage: 'ingest' }]),
      ]) {
        const error = await caught(work());
        expect(isRegistryUnavailable(error)).toBe(true);
        expect(registryUnavailable(error)).toMatchObject({ code: 'registry_unavailable' });
      }
    } finally {
      await hung.$disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('leaves every other error alone', async () => {
    await ensureDataset(db.registry, { name: 'twice', useCase: 'tabular' });
    const duplicate = await caught(
      db.registry.dataset.create({ data: { name: 'twice', useCase: 'tabular' } }),
    );
    const missing = await caught(getRun(db.registry, 'no-such-run'));
    const badSql = await caught(db.registry.$queryRawUnsafe('SELECT * FROM "NoSuchTable"'));
    for (const error of [duplicate, missing, badSql, new Error('boom')]) {
      expect(error).toBeDefined();
      expect(registryUnavailable(error)).toBeUndefined();
      expect(isRegistryUnavailable(error)).toBe(false);
    }
  });
});
