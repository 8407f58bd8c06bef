/**
 * Perturbation inside a real ingest: what is stored (content, profile) holds only noised values
 * of perturbed columns, k-anonymity is reported over the declared quasi-identifiers, bad
 * privacy specs are refused before anything is stored, and hashing needs a configured salt.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { mulberry32 } from '@lathe/core';
import type { TabularRow } from '@lathe/contract';
import { ingestToArtifacts } from '../ingest/ingest-to-artifacts.ts';
import { readRows } from '../read/read-rows.ts';

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-privacy-'));
  store = new LocalArtifactStore(join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function stored(): Promise<number> {
  let n = 0;
  for await (const _ of store.list()) n++;
  return n;
}

const regions = ['north', 'south', 'east', 'west'];
/** 2,000 customers: age 20..79, a region, a zip code shared by groups of 50, churn. */
async function customers(): Promise<string> {
  const lines = ['age,region,zip,churned'];
  for (let i = 0; i < 2000; i++)
    lines.push(
      `${20 + (i % 60)},${regions[i % 4]},${10000 + Math.floor(i / 50)},${i % 3 === 0 ? 'yes' : 'no'}`,
    );
  const path = join(dir, 'customers.csv');
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

const privacy = {
  budget: { epsilon: 10 },
  columns: {
    age: { mechanism: 'laplace' as const, epsilon: 1, lower: 18, upper: 90 },
    region: { mechanism: 'randomised-response' as const, epsilon: 2, categories: regions },
  },
  quasiIdentifiers: ['zip'],
  k: 20,
};

describe('an ingest with per-column perturbation', () => {
  it('stores only noised values, reports the mechanisms and ε, and profiles the noised data', async () => {
    const path = await customers();
    const result = await ingestToArtifacts(
      { useCase: 'tabular', source: { kind: 'file', path }, columnMap: { target: 'churned' }, privacy },
      { store, noiseRandom: mulberry32(42) },
    );
    expect(result.rows).toBe(2000);
    expect(result.privacy.perturbation).toEqual({
      epsilon: 3,
      columns: {
        age: { mechanism: 'laplace', epsilon: 1, lower: 18, upper: 90, scale: 72 },
        region: expect.objectContaining({ mechanism: 'randomised-response', epsilon: 2 }),
      },
    });
    const rows: TabularRow[] = [];
    for await (const row of readRows(store, result.sha256, 'tabular')) rows.push(row as TabularRow);
    const ages = rows.map((r) => r.features.age as number);
    // Raw ages are integers in 20..79; noised ones with scale 72 almost never are.
    expect(ages.filter((a) => Number.isInteger(a)).length).toBe(0);
    expect(ages.some((a) => a < 0 || a > 150)).toBe(true);
    const variance = ages.reduce((s, a) => s + (a - 49.5) ** 2, 0) / ages.length;
    // Var(raw) ≈ 300 plus Var(noise) = 2·72² = 10,368: the noise dominates.
    expect(variance).toBeGreaterThan(8_000);
    // About p = e²/(e²+3) ≈ 0.71 of regions kept: clearly perturbed, still informative.
    const kept = rows.filter((r, i) => r.features.region === regions[i % 4]).length / rows.length;
    expect(kept).toBeGreaterThan(0.65);
    expect(kept).toBeLessThan(0.77);
    // The profile describes what was stored: the noised ages.
    const ageProfile = result.profile.columns['age'];
    expect(ageProfile?.kind).toBe('numeric');
    if (ageProfile?.kind === 'numeric') expect(ageProfile.min!).toBeLessThan(0);
    // 40 zip codes, 50 customers each: 20-anonymous, not 51-anonymous.
    expect(result.profile.kAnonymity).toEqual({
      quasiIdentifiers: ['zip'],
      required: 20,
      achieved: 50,
      satisfied: true,
      groups: 40,
      groupsBelowRequired: 0,
      rowsInGroupsBelowRequired: 0,
      capped: false,
    });
  });

  it('reports the groups too small for k', async () => {
    const path = await customers();
    const result = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: { kind: 'file', path },
        columnMap: { target: 'churned' },
        privacy: { quasiIdentifiers: ['zip', 'age'], k: 5 },
      },
      { store },
    );
    // zip × age: every customer of a zip block has a distinct age (50 of 60 values).
    expect(result.profile.kAnonymity).toMatchObject({
      achieved: 1,
      satisfied: false,
      groupsBelowRequired: 2000,
      rowsInGroupsBelowRequired: 2000,
    });
  });

  it('refuses bad privacy specs before storing anything', async () => {
    const path = await customers();
    const base = {
      useCase: 'tabular' as const,
      source: { kind: 'file' as const, path },
      columnMap: { target: 'churned' },
    };
    await expect(
      ingestToArtifacts(
        { ...base, privacy: { ...privacy, columns: { salary: privacy.columns.age } } },
        { store },
      ),
    ).rejects.toMatchObject({
      code: 'privacy_unknown_column',
      message: expect.stringMatching(/no column `salary`/),
    });
    await expect(
      ingestToArtifacts({ ...base, privacy: { columns: privacy.columns } }, { store }),
    ).rejects.toMatchObject({ code: 'privacy_budget_required' });
    await expect(
      ingestToArtifacts(
        {
          ...base,
          privacy: { ...privacy, columns: { age: { ...privacy.columns.age, lower: 90, upper: 18 } } },
        },
        { store },
      ),
    ).rejects.toMatchObject({ code: 'privacy_invalid_bounds' });
    await expect(
      ingestToArtifacts(
        {
          ...base,
          privacy: {
            ...privacy,
            columns: {
              region: { mechanism: 'randomised-response', epsilon: 1, categories: ['north', 'south'] },
            },
          },
        },
        { store },
      ),
    ).rejects.toMatchObject({
      code: 'privacy_unknown_category',
      message: expect.stringMatching(/^1000 invalid values .*"east" is not one of the declared categories/),
    });
    expect(await stored()).toBe(0);
  });

  it('hashing a PII column needs a configured salt: there is no built-in one', async () => {
    const path = await customers();
    const spec = {
      useCase: 'tabular' as const,
      source: { kind: 'file' as const, path },
      columnMap: { target: 'churned' },
      pii: { columns: { zip: 'hash' as const } },
    };
    await expect(ingestToArtifacts(spec, { store })).rejects.toMatchObject({
      code: 'pii_salt_required',
      message: expect.stringMatching(
        /column `zip` is to be hashed but no salt is configured: set LATHE_PII_SALT/,
      ),
    });
    expect(await stored()).toBe(0);
    const result = await ingestToArtifacts(spec, { store, piiSalt: 'a-secret-salt' });
    const rows: TabularRow[] = [];
    for await (const row of readRows(store, result.sha256, 'tabular')) rows.push(row as TabularRow);
    expect(String(rows[0]!.features.zip)).toMatch(/^[0-9a-f]{32}$/);
  });
});
