/**
 * Uploads with ingest options through the real API on the committed customers sample: the
 * target column, declared column types, split and PII by query parameter; a refused file is
 * named as the user named it and leaves no dataset behind.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';

const customers = readFileSync(new URL('../fixtures/analyst/customers.csv', import.meta.url), 'utf8');

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('upload-options');
}, 60_000);
afterAll(() => api?.close());

const upload = (path: string, body: string) =>
  api.request('POST', path, { key: api.keys.editor, rawBody: body, headers: { 'content-type': 'text/csv' } });

async function datasetNamed(name: string) {
  const found = await api.request('GET', `/datasets?name=${name}`, { key: api.keys.viewer });
  return found.body.items.filter((d: { name: string }) => d.name === name);
}

describe('POST /dataset-uploads', () => {
  it('creates the dataset with its first version, ingested with the declared target and column types', async () => {
    const response = await upload(
      '/dataset-uploads?name=customers&useCase=tabular&fileName=customers.csv&target=CHURNED' +
        '&categorical=SEGMENT,REGION&id=CUSTOMER_ID&split=stratified&splitSeed=7&splitFractions=0.7,0.15,0.15',
      customers,
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      datasetCreated: true,
      created: true,
      dataset: { name: 'customers', useCase: 'tabular' },
      version: { version: 1, rows: 1000 },
    });
    const version = response.body.version;
    expect(version.split).toMatchObject({
      strategy: 'stratified',
      seed: 7,
      counts: { train: 700, validation: 150, test: 150 },
    });
    expect(version.schema.columns).toContainEqual({
      name: 'SEGMENT',
      type: 'string',
      role: 'feature',
      columnType: 'categorical',
    });
    expect(version.schema.columns).toContainEqual({
      name: 'CUSTOMER_ID',
      type: 'string',
      role: 'key',
      columnType: 'id',
    });
    expect(version.source).toMatchObject({ kind: 'upload', fileName: 'customers.csv' });

    const profile = await api.request('GET', `/dataset-versions/${version.id}/profile`, {
      key: api.keys.viewer,
    });
    expect(profile.body.profile.columnTypes.SUPPORT_CALLS).toEqual({
      used: 'numeric',
      declared: false,
      proposed: 'categorical',
      reason:
        '7 distinct integer values (0–6) in 1000 rows: likely codes; declare it numeric if the order and spacing mean something',
    });
    expect(profile.body.profile.columnTypes.SEGMENT).toMatchObject({ used: 'categorical', declared: true });

    // A second upload to the same name adds to that dataset, audited once as a dataset creation.
    const again = await upload('/dataset-uploads?name=customers&useCase=tabular&target=CHURNED', customers);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ datasetCreated: false, version: { version: 2 } });
    expect(again.body.dataset.id).toBe(response.body.dataset.id);
    const audits = await api.request('GET', '/audit-log?action=dataset.create&limit=50', {
      key: api.keys.admin,
    });
    expect(
      audits.body.items.filter((a: { entityId: string }) => a.entityId === response.body.dataset.id),
    ).toHaveLength(1);
  });

  it('a file refused for its missing target names the file, says how to name the target, and creates nothing', async () => {
    const response = await upload(
      '/dataset-uploads?name=churn-no-target&useCase=tabular&fileName=customers.csv',
      customers,
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('missing_column');
    expect(response.body.detail).toMatch(
      /^customers\.csv has no column `target` \(a tabular dataset needs it; the columns are `CUSTOMER_ID`, `SEGMENT`, .*`CHURNED`\); name the label column as the target \(`--target <column>` in the CLI, `target=<column>` on the upload route/,
    );
    expect(response.text).not.toContain(tmpdir()); // the server's upload directory
    expect(await datasetNamed('churn-no-target')).toEqual([]);
  });

  it('a bad value of a declared column is refused naming the row, the column and the file', async () => {
    const response = await upload(
      '/dataset-uploads?name=churn-bad-value&useCase=tabular&fileName=crm-export.csv&target=CHURNED&numeric=REGION',
      'REGION,CHURNED\n3,0\nnorth,1\n',
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'non_numeric' });
    expect(response.body.detail).toMatch(/row 2, column `REGION`: value "north" is declared numeric/);
    expect(response.body.detail).toMatch(
      /Fix crm-export\.csv, or ingest with invalidRows "drop" to skip such rows \(`--invalid-rows drop` in the CLI, `invalidRows=drop` on the upload route\)\.$/,
    );
    expect(await datasetNamed('churn-bad-value')).toEqual([]);
    // As the message says: dropping the row ingests the rest, and the version counts what it dropped.
    const dropped = await upload(
      '/dataset-uploads?name=churn-bad-value&useCase=tabular&target=CHURNED&numeric=REGION&invalidRows=drop',
      'REGION,CHURNED\n3,0\nnorth,1\n',
    );
    expect(dropped.status).toBe(201);
    expect(dropped.body.version).toMatchObject({ rows: 1, source: { droppedRows: 1 } });
  });

  it('refuses contradictory or malformed options before reading the file', async () => {
    const response = await upload(
      '/dataset-uploads?name=churn-options&useCase=tabular&target=CHURNED&categorical=SEGMENT&numeric=SEGMENT&pii=email&splitFractions=0.5,0.5',
      customers,
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('invalid_ingest_options');
    expect(response.body.errors).toEqual([
      { field: 'query.numeric', message: 'column SEGMENT is also declared categorical' },
      {
        field: 'query.pii',
        message: '"email" is not column:action with action one of hash, remove, generalise',
      },
      { field: 'query.splitFractions', message: 'must be three numbers: train,validation,test' },
    ]);
    expect(await datasetNamed('churn-options')).toEqual([]);
  });

  it('a name taken by another use case is 409 and ingests nothing', async () => {
    const created = await api.request('POST', '/datasets', {
      key: api.keys.editor,
      body: { name: 'clicks', useCase: 'recommendation' },
    });
    expect(created.status).toBe(201);
    const response = await upload('/dataset-uploads?name=clicks&useCase=tabular&target=CHURNED', customers);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'dataset_use_case_mismatch' });
    const versions = await api.request('GET', `/datasets/${created.body.id}/versions`, {
      key: api.keys.viewer,
    });
    expect(versions.body.items).toEqual([]);
  });
});

describe('POST /datasets/:id/versions with ingest options', () => {
  it('takes the same options as a named upload: ignored columns are dropped, PII columns removed', async () => {
    const created = await api.request('POST', '/datasets', {
      key: api.keys.editor,
      body: { name: 'customers-by-id', useCase: 'tabular' },
    });
    const response = await upload(
      `/datasets/${created.body.id}/versions?target=CHURNED&ignore=AGE,MONTHLY_SPEND&pii=CUSTOMER_ID:remove`,
      customers,
    );
    expect(response.status, response.text).toBe(201);
    const names = response.body.version.schema.columns.map((c: { name: string }) => c.name);
    expect(names).toEqual(['SEGMENT', 'REGION', 'TENURE_MONTHS', 'SUPPORT_CALLS', 'target']);
    expect(response.body.version.profile.columns).not.toHaveProperty('CUSTOMER_ID');
  });
});
