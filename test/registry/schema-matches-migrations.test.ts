import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_PATH } from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';
import { loadDmmf, schemaDifferences } from './schema-drift.ts';

// The migrated database must be exactly what schema.prisma describes; otherwise someone
// changed the schema without adding a migration (or edited the database by hand).
let db: TestDatabase;
const schemaText = readFileSync(SCHEMA_PATH, 'utf8');

beforeAll(async () => {
  db = await createTestDatabase('drift');
});
afterAll(() => db.drop());

describe('schema.prisma vs prisma/migrations', () => {
  it('the migrated database matches the schema: every model, column, type, nullability, key and index', async () => {
    const differences = await schemaDifferences(await loadDmmf(schemaText), db.query, db.schema);
    expect(differences).toEqual([]);
  });

  it('reports a column added to the schema without a migration', async () => {
    const edited = schemaText.replace(
      /model Dataset \{\n\s+id\s+String\s+@id @default\(uuid\(\)\)\n/,
      (match) => `${match}  owner       String\n`,
    );
    expect(edited).not.toBe(schemaText);
    const differences = await schemaDifferences(await loadDmmf(edited), db.query, db.schema);
    expect(differences).toEqual(['column Dataset.owner is missing in the database']);
  });

  it('reports an index, a nullability change and a new enum value missing from the migrations', async () => {
    const edited = schemaText
      .replace('  @@index([status])\n', '  @@index([status])\n  @@index([trigger])\n')
      .replace('  backend           String?\n', '  backend           String\n')
      .replace('enum Stage {\n  ingest\n', 'enum Stage {\n  ingest\n  validate\n');
    const differences = await schemaDifferences(await loadDmmf(edited), db.query, db.schema);
    expect(differences).toContain('index Run_trigger_idx on Run(trigger) is missing in the database');
    expect(differences).toContain('column Run.backend is nullable in the database, required in the schema');
    expect(differences.some((d) => d.startsWith('enum Stage has values'))).toBe(true);
  });

  it('reports a column that exists only in the database', async () => {
    await db.query('ALTER TABLE "Experiment" ADD COLUMN "stray" TEXT');
    try {
      const differences = await schemaDifferences(await loadDmmf(schemaText), db.query, db.schema);
      expect(differences).toEqual(['column Experiment.stray exists in the database but not in the schema']);
    } finally {
      await db.query('ALTER TABLE "Experiment" DROP COLUMN "stray"');
    }
  });
});
