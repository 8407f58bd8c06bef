/** The bring-up's bootstrap admin key: created once (even when two bring-ups race), stored hashed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdminKey } from '../../services/api/src/index.ts';
import { hashApiKey } from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('bootstrap');
});
afterAll(() => db.drop());

describe('bootstrapAdminKey', () => {
  it('creates exactly one admin key across concurrent calls and never again', async () => {
    const keys = await Promise.all([
      bootstrapAdminKey(db.registry),
      bootstrapAdminKey(db.registry),
      bootstrapAdminKey(db.registry),
    ]);
    const created = keys.filter((k): k is string => k !== null);
    expect(created).toHaveLength(1);
    const rows = await db.registry.apiKey.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'admin', hash: hashApiKey(created[0]!) });
    expect(await bootstrapAdminKey(db.registry)).toBeNull();
  });
});
