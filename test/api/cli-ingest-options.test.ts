/**
 * The `lathe` CLI's analyst path against a real API, on the committed customers sample: ingest
 * options on `dataset ingest` and `experiment create --source`, the family catalogue, and the
 * help's own examples accepted as written.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_EXAMPLE, SOURCE_EXAMPLE } from '../../packages/cli/src/commands/experiment.ts';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { parseHyperparameters } from '../../packages/ml/src/hyperparameters.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

const customers = fileURLToPath(new URL('../fixtures/analyst/customers.csv', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'lathe-cli-analyst-'));

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('cli-analyst', {}, { validateHyperparameters: parseHyperparameters });
}, 60_000);
afterAll(() => api?.close());

async function lathe(args: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env: { HOME: home, LATHE_API_URL: api.url, LATHE_API_KEY: api.keys.editor },
    fetch: globalThis.fetch,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('lathe dataset ingest with ingest options', () => {
  it('ingests with the target and column types, and says which undeclared columns look like codes', async () => {
    const result = await lathe([
      'dataset',
      'ingest',
      customers,
      '--use-case',
      'tabular',
      '--target',
      'CHURNED',
      '--categorical',
      'SEGMENT,REGION',
      '--id',
      'CUSTOMER_ID',
      '--split',
      'stratified',
    ]);
    expect(result.err).not.toMatch(/lathe:/);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^created customers v1 \(1000 rows, sha256 [0-9a-f]{12}…\) id [0-9a-f-]{36}\n/,
    );
    expect(result.out).toContain(
      '  SUPPORT_CALLS: used as numeric; looks categorical (7 distinct integer values (0–6) in 1000 rows: likely codes; declare it numeric if the order and spacing mean something); re-ingest with --categorical SUPPORT_CALLS to use it so\n',
    );
    expect(result.out).not.toMatch(/SEGMENT:|TENURE_MONTHS:/);
    const versionId = /id ([0-9a-f-]{36})/.exec(result.out)![1]!;
    const version = await api.request('GET', `/dataset-versions/${versionId}`, { key: api.keys.viewer });
    expect(version.body.split).toMatchObject({ strategy: 'stratified' });
    expect(version.body.schema.columns).toContainEqual({
      name: 'REGION',
      type: 'string',
      role: 'feature',
      columnType: 'categorical',
    });
  });

  it('a refused file is named as given, the error says how to name the target, and no dataset is left', async () => {
    const result = await lathe([
      'dataset',
      'ingest',
      customers,
      '--use-case',
      'tabular',
      '--name',
      'no-target',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(
      /^lathe: customers\.csv has no column `target` .*name the label column as the target \(`--target <column>` in the CLI.* \[missing_column\]\n$/m,
    );
    const datasets = await api.request('GET', '/datasets?name=no-target', { key: api.keys.viewer });
    expect(datasets.body.items).toEqual([]);
  });
});

describe('lathe families', () => {
  it('lists every family, and one family with each hyperparameter, its default and description', async () => {
    const all = await lathe(['families']);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^family\s+use case\s+description\n/);
    for (const family of ['mf', 'ncf', 'cnn', 'embedding-pool', 'cnn1d', 'lstm', 'gru', 'mlp', 'dcgan'])
      expect(all.out).toMatch(new RegExp(`^${family}\\s+\\w+\\s+\\S`, 'm'));
    const mlp = await lathe(['families', 'mlp']);
    expect(mlp.out).toMatch(/^mlp \(tabular\): MLP on standardised numeric columns/);
    expect(mlp.out).toMatch(/^classWeights\s+"none"\s+none, balanced/m);
    expect(mlp.out).toMatch(/^hiddenUnits\s+\[64,32\]\s+sizes of the hidden layers$/m);
    expect(mlp.out).toMatch(/^earlyStopping\s+null\s+stop when a validation metric stops improving/m);
    const unknown = await lathe(['families', 'xgboost']);
    expect(unknown.err).toMatch(/^lathe: no model family "xgboost"; the families are mf, ncf, /);
  });
});

describe('lathe experiment create', () => {
  it('stores a source with the ingest options, and accepts the help’s own gate and source examples', async () => {
    const withFile = await lathe([
      'experiment',
      'create',
      '--name',
      'churn',
      '--dataset',
      'customers',
      '--use-case',
      'tabular',
      '--family',
      'mlp',
      '--gate',
      GATE_EXAMPLE,
      '--rollout',
      '{"steps": [0.1, 0.5]}',
      '--source',
      '/data/exports/customers.csv',
      '--target',
      'CHURNED',
      '--categorical',
      'SEGMENT,REGION',
      '--id',
      'CUSTOMER_ID',
      '--split-fractions',
      '0.7,0.15,0.15',
    ]);
    expect(withFile.err).toBe('');
    expect(withFile.code).toBe(0);
    const id = /\(([0-9a-f-]{36})\)/.exec(withFile.out)![1]!;
    const stored = await api.request('GET', `/experiments/${id}`, { key: api.keys.viewer });
    expect(stored.body.source).toMatchObject({
      source: { kind: 'file', path: '/data/exports/customers.csv' },
      columnMap: { target: 'CHURNED' },
      columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id' },
      split: { fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
    });
    expect(stored.body.gate).toEqual(JSON.parse(GATE_EXAMPLE));

    const withPostgres = await lathe([
      'experiment',
      'create',
      '--name',
      'churn-warehouse',
      '--dataset',
      'customers',
      '--use-case',
      'tabular',
      '--family',
      'mlp',
      '--source',
      SOURCE_EXAMPLE,
    ]);
    expect(withPostgres.err).toBe('');
    const warehouseId = /\(([0-9a-f-]{36})\)/.exec(withPostgres.out)![1]!;
    const warehouse = await api.request('GET', `/experiments/${warehouseId}`, { key: api.keys.viewer });
    expect(warehouse.body.source).toEqual(JSON.parse(SOURCE_EXAMPLE));
  });

  it('refuses ingest flags without a source, and a misspelt hyperparameter naming the valid ones', async () => {
    const base = [
      'experiment',
      'create',
      '--dataset',
      'customers',
      '--use-case',
      'tabular',
      '--family',
      'mlp',
    ];
    const noSource = await lathe([...base, '--name', 'churn-2', '--target', 'CHURNED']);
    expect(noSource.err).toMatch(/^lathe: ingest options \(--target, --categorical, …\) need --source/);
    const misspelt = await lathe([
      ...base,
      '--name',
      'churn-3',
      '--hyperparameters',
      '{"classWeight": "balanced"}',
    ]);
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.err).toContain(
      'body.hyperparameters: unknown field classWeight (did you mean classWeights?); valid: epochs, batchSize,',
    );
  });
});
