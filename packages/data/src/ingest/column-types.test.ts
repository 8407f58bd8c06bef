/**
 * Declared column types on a real tabular ingest: the committed customers sample (a label named
 * CHURNED, integer-coded SEGMENT and REGION, an id column) and small files for the refusals.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { TabularRow } from '@lathe/contract';
import { readRows } from '../read/read-rows.ts';
import { ingestToArtifacts } from './ingest-to-artifacts.ts';

const customers = fileURLToPath(new URL('../../../../test/fixtures/analyst/customers.csv', import.meta.url));

let dir: string;
let store: LocalArtifactStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-column-types-'));
  store = new LocalArtifactStore(join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const upload = (name: string, lines: string[]) =>
  ({ kind: 'stream', stream: Readable.from(lines), format: 'csv', name }) as const;

async function storedRows(sha256: string): Promise<TabularRow[]> {
  const rows: TabularRow[] = [];
  for await (const row of readRows(store, sha256, 'tabular')) rows.push(row as TabularRow);
  return rows;
}

describe('declared column types', () => {
  it('keeps codes as categories, ids beside the features, drops ignored columns, and profiles why', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: { kind: 'stream', stream: createReadStream(customers), format: 'csv', name: 'customers.csv' },
        columnMap: { target: 'CHURNED' },
        columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id', AGE: 'ignore' },
        split: { strategy: 'stratified' },
      },
      { store },
    );
    expect(result.rows).toBe(1000);
    const rows = await storedRows(result.sha256);
    // The first data line of the file: C00001,8,1,11,96.52,0,71,0
    expect(rows[0]).toEqual({
      features: { SEGMENT: '8', REGION: '1', TENURE_MONTHS: 11, MONTHLY_SPEND: 96.52, SUPPORT_CALLS: 0 },
      target: '0',
      keys: { CUSTOMER_ID: 'C00001' },
    });
    expect(result.schema.columns).toEqual([
      { name: 'CUSTOMER_ID', type: 'string', role: 'key', columnType: 'id' },
      { name: 'SEGMENT', type: 'string', role: 'feature', columnType: 'categorical' },
      { name: 'REGION', type: 'string', role: 'feature', columnType: 'categorical' },
      { name: 'TENURE_MONTHS', type: 'number', role: 'feature', columnType: 'numeric' },
      { name: 'MONTHLY_SPEND', type: 'number', role: 'feature', columnType: 'numeric' },
      { name: 'SUPPORT_CALLS', type: 'number', role: 'feature', columnType: 'numeric' },
      { name: 'target', type: 'string', role: 'target' },
    ]);
    const types = result.profile.columnTypes!;
    expect(types.SEGMENT).toMatchObject({ used: 'categorical', declared: true, proposed: 'categorical' });
    expect(types.SEGMENT!.reason).toMatch(/^12 distinct integer values \(1–12\) in 1000 rows: likely codes/);
    expect(types.CUSTOMER_ID).toMatchObject({ used: 'id', declared: true, proposed: 'id' });
    // Not declared: used as a number, but its few levels make inference propose a category.
    expect(types.SUPPORT_CALLS).toMatchObject({ used: 'numeric', declared: false, proposed: 'categorical' });
    expect(types.TENURE_MONTHS).toMatchObject({ used: 'numeric', proposed: 'numeric' });
    expect(types.AGE).toBeUndefined();
    expect(result.profile.columns.SEGMENT).toMatchObject({ kind: 'categorical', distinct: 12 });
    expect(result.profile.labels).toEqual({ '0': 886, '1': 114 });
  });

  it('parses declared timestamps to epoch milliseconds', async () => {
    const result = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: upload('signups.csv', ['signed_up,y\n', '2024-03-01,1\n', '1700000000,0\n']),
        columnMap: { target: 'y' },
        columnTypes: { signed_up: 'timestamp' },
      },
      { store },
    );
    const rows = await storedRows(result.sha256);
    expect(rows.map((r) => r.features.signed_up)).toEqual([Date.parse('2024-03-01'), 1_700_000_000_000]);
  });

  it('refuses a value of a declared numeric column, naming the row, the column and the file', async () => {
    const ingest = ingestToArtifacts(
      {
        useCase: 'tabular',
        source: upload('spend.csv', ['spend,y\n', '12.5,1\n', 'n/a,0\n']),
        columnMap: { target: 'y' },
        columnTypes: { spend: 'numeric' },
      },
      { store },
    );
    await expect(ingest).rejects.toMatchObject({
      code: 'non_numeric',
      message: expect.stringMatching(
        /^1 invalid value \(1 non_numeric\); row 2, column `spend`: value "n\/a" is declared numeric: must be a finite number\. Fix spend\.csv, or ingest with invalidRows/,
      ),
    });
  });

  it('refuses a declared column the file does not have, listing the columns', async () => {
    const ingest = ingestToArtifacts(
      {
        useCase: 'tabular',
        source: upload('customers.csv', ['SEGMENT,CHURNED\n', '1,0\n']),
        columnMap: { target: 'CHURNED' },
        columnTypes: { SEGMNT: 'categorical' },
      },
      { store },
    );
    await expect(ingest).rejects.toMatchObject({
      code: 'unknown_column',
      message:
        'customers.csv has no column `SEGMNT` (declared categorical); the columns are `SEGMENT`, `CHURNED`',
    });
  });

  it('a missing target names the upload by its file name and says how to name the target', async () => {
    const ingest = ingestToArtifacts(
      { useCase: 'tabular', source: upload('customers.csv', ['SEGMENT,CHURNED\n', '1,0\n']) },
      { store },
    );
    await expect(ingest).rejects.toMatchObject({
      code: 'missing_column',
      message: expect.stringMatching(
        /^customers\.csv has no column `target` .*; name the label column as the target \(`--target <column>` in the CLI/,
      ),
    });
    const stored: string[] = [];
    for await (const sha of store.list()) stored.push(sha);
    expect(stored).toEqual([]);
  });
});
