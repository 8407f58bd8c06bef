/**
 * "Postgres cannot be reached" told apart from every other registry error: against a port
 * nothing listens on (every shape: Prisma's queries, raw SQL, the hot path's pg pool) and
 * against the real test database (a duplicate, a missing row: not an outage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStages, createRegistry, ensureDataset, getRun, registryUnavailable, type Registry } from '@lathe/registry';
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

const caught = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error);

describe('registryUnavailable', () => {
  it('recognises an unreachable Postgres in Prisma queries, raw SQL and the hot path', async () => {
    for (const work of [() => down.run.count(), () => down.$queryRawUnsafe('SELECT 1'), () => claimStages(down, [{ runId: 'r', stage: 'ingest' }])]) {
      const error = await caught(work());
      expect(error).toBeDefined();
      expect(registryUnavailable(error)).toMatchObject({ code: 'registry_unavailable', httpStatus: 503 });
    }
  });

  it('leaves every other error alone', async () => {
    await ensureDataset(db.registry, { name: 'twice', useCase: 'tabular' });
    const duplicate = await caught(db.registry.dataset.create({ data: { name: 'twice', useCase: 'tabular' } }));
    const missing = await caught(getRun(db.registry, 'no-such-run'));
    const badSql = await caught(db.registry.$queryRawUnsafe('SELECT * FROM "NoSuchTable"'));
    for (const error of [duplicate, missing, badSql, new Error('boom')]) {
      expect(error).toBeDefined();
      expect(registryUnavailable(error)).toBeUndefined();
    }
  });
});
