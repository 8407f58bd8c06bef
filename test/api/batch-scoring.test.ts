/**
 * Batch scoring through the API against the real Postgres and Redis: a model really trained on
 * the committed customers sample scores its whole dataset version and an uploaded file as jobs
 * on the `scoring` queue, run by the evaluate service's scoring worker; the outputs carry the key
 * columns and the same probabilities the model gives those rows directly.
 */
import { readFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, ingestDatasetVersion } from '@lathe/data';
import { evaluateClassification, loadModel, selectBackend, train } from '@lathe/ml';
import { startScoringWorker } from '@lathe/queues';
import { registerModelVersion } from '@lathe/registry';
import { silentLogger } from '@lathe/core';
import { createScoringHandler } from '../../services/evaluate/src/scoring/score-dataset.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

const customersPath = fileURLToPath(new URL('../fixtures/analyst/customers.csv', import.meta.url));
const customerLines = readFileSync(customersPath, 'utf8').trim().split('\n');

let api: TestApi;
let store: LocalArtifactStore;
let worker: Awaited<ReturnType<typeof startScoringWorker>>;
let modelVersionId: string;
let datasetVersionId: string;
/** P(churn) of every customer, from the model directly. */
const direct = new Map<string, number>();
/** Every row's label and P(churn), in the version's split order, and the model's threshold. */
const labelled: { y: number; p: number }[] = [];
let threshold = 0.5;
let customersDatasetId: string;

interface Job {
  id: string;
  status: string;
  rowsScored: number;
  rowsTotal: number | null;
  progress: number | null;
  downloadUrl: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

async function finished(id: string): Promise<Job> {
  for (;;) {
    const { body } = await api.request('GET', `/scoring-jobs/${id}`, { key: api.keys.viewer });
    const job = body as Job;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  store = new LocalArtifactStore(mkdtempSync(join(tmpdir(), 'lathe-scoring-store-')));
  api = await startTestApi('batch-scoring', {}, { artifacts: store });
  const registry = api.db.registry;
  const dataset = await registry.dataset.create({ data: { name: 'customers', useCase: 'tabular' } });
  const { version } = await ingestDatasetVersion(
    { registry, store },
    {
      datasetId: dataset.id,
      spec: {
        useCase: 'tabular',
        source: {
          kind: 'stream',
          stream: createReadStream(customersPath),
          format: 'csv',
          name: 'customers.csv',
        },
        columnMap: { target: 'CHURNED' },
        columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id' },
        split: { strategy: 'stratified' },
      },
    },
  );
  datasetVersionId = version.id;
  const opened = await createDatasetAccess(store).open(version);
  const result = await train({
    family: 'mlp',
    hyperparameters: { epochs: 3, hiddenUnits: [8] },
    seed: 3,
    dataset: opened.metadata,
    trainRows: () => opened.rows('train'),
    validationRows: () => opened.rows('validation'),
  });
  const stored = await store.put(result.buffer);
  const { modelVersion } = await registerModelVersion(registry, {
    modelName: 'customers',
    useCase: 'tabular',
    modelFamily: 'mlp',
    artifactUri: stored.uri,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    signature: result.bundle.signature as never,
  });
  modelVersionId = modelVersion.id;
  const model = await loadModel(result.buffer);
  const rows: { keys?: Record<string, string> }[] = [];
  for (const split of ['train', 'validation', 'test'] as const)
    for await (const row of opened.rows(split)) rows.push(row as { keys?: Record<string, string> });
  const predictions = await model.predict(rows);
  rows.forEach((row, i) => {
    direct.set(row.keys!.CUSTOMER_ID!, predictions[i]!.probabilities!['1']!);
    labelled.push({
      y: Number((row as { target?: unknown }).target),
      p: predictions[i]!.probabilities!['1']!,
    });
  });
  threshold = model.signature.decisionThreshold ?? 0.5;
  customersDatasetId = dataset.id;
  model.dispose();
  worker = await startScoringWorker({
    pipeline: api.pipeline,
    logger: silentLogger,
    score: createScoringHandler({ registry, store }),
  });
}, 180_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
});

describe('batch scoring', () => {
  it('scores every row of a dataset version in the background, with progress, the id column and a download link', async () => {
    const started = await api.request('POST', `/model-versions/${modelVersionId}/score`, {
      key: api.keys.editor,
      body: { datasetVersionId },
    });
    expect(started.status).toBe(202);
    const job = await finished((started.body as Job).id);
    expect(job).toMatchObject({ status: 'succeeded', rowsScored: 1000, rowsTotal: 1000, progress: 1 });
    expect(job.downloadUrl).toBe(`/scoring-jobs/${job.id}/output`);

    const output = await api.request('GET', job.downloadUrl!, { key: api.keys.viewer });
    expect(output.status).toBe(200);
    expect(output.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = output.text.trim().split('\n');
    expect(header).toBe('CUSTOMER_ID,score,label,probability_0,probability_1');
    expect(lines).toHaveLength(1000);
    const ids = new Set<string>();
    for (const line of lines) {
      const [id, score, label, p0, p1] = line.split(',');
      ids.add(id!);
      expect(Number(score)).toBe(direct.get(id!));
      expect(Number(p1)).toBe(Number(score));
      expect(Number(p0) + Number(p1)).toBeCloseTo(1, 5);
      expect(['0', '1']).toContain(label);
    }
    expect(ids.size).toBe(1000);
  });

  it('scores an uploaded file (without the label column) to JSON Lines with the key columns asked for', async () => {
    // The first 40 customers, CHURNED dropped: what an analyst sends to be scored.
    const csv = customerLines
      .slice(0, 41)
      .map((line) => line.split(',').slice(0, -1).join(','))
      .join('\n');
    const started = await api.request(
      'POST',
      `/model-versions/${modelVersionId}/score/file?keys=CUSTOMER_ID&output=jsonl&fileName=to-score.csv`,
      { key: api.keys.editor, rawBody: csv, headers: { 'content-type': 'text/csv' } },
    );
    expect(started.status).toBe(202);
    const job = await finished((started.body as Job).id);
    expect(job).toMatchObject({ status: 'succeeded', rowsScored: 40 });
    const output = await api.request('GET', job.downloadUrl!, { key: api.keys.viewer });
    const rows = output.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { CUSTOMER_ID: string; score: number });
    expect(rows.map((r) => r.CUSTOMER_ID)).toEqual(customerLines.slice(1, 41).map((l) => l.split(',')[0]));
    // Parsed from the upload's text exactly as ingest parsed the stored rows: the same scores.
    for (const row of rows) expect(row.score).toBeCloseTo(direct.get(row.CUSTOMER_ID)!, 6);
  });

  it('fails a file without the key column with a clear reason, and refuses what it cannot score', async () => {
    const started = await api.request(
      'POST',
      `/model-versions/${modelVersionId}/score/file?keys=CUSTOMER_NO`,
      {
        key: api.keys.editor,
        rawBody: customerLines.slice(0, 3).join('\n'),
        headers: { 'content-type': 'text/csv' },
      },
    );
    const job = await finished((started.body as Job).id);
    expect(job.status).toBe('failed');
    expect(job.errorCode).toBe('unknown_key_columns');
    expect(job.errorMessage).toContain('has no column CUSTOMER_NO; its columns are CUSTOMER_ID, SEGMENT');
    const notDone = await api.request('GET', `/scoring-jobs/${job.id}/output`, { key: api.keys.viewer });
    expect(notDone.status).toBe(409);
    expect((notDone.body as { code: string }).code).toBe('scoring_not_finished');

    const viewer = await api.request('POST', `/model-versions/${modelVersionId}/score`, {
      key: api.keys.viewer,
      body: { datasetVersionId },
    });
    expect(viewer.status).toBe(403);
    const unknown = await api.request(
      'POST',
      `/model-versions/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/score`,
      {
        key: api.keys.editor,
        body: { datasetVersionId },
      },
    );
    expect(unknown.status).toBe(404);
  });

  it("evaluates the model on any dataset version with its columns (a user's hold-out): same metrics, gains and slices", async () => {
    const started = await api.request('POST', `/model-versions/${modelVersionId}/evaluations`, {
      key: api.keys.editor,
      body: { datasetVersionId, split: 'all' },
    });
    expect(started.status).toBe(202);
    const job = (await finished((started.body as Job).id)) as Job & {
      evaluationId: string | null;
      kind: string;
    };
    expect(job).toMatchObject({
      status: 'succeeded',
      kind: 'evaluation',
      rowsScored: 1000,
      downloadUrl: null,
    });
    const { body } = await api.request('GET', `/evaluations/${job.evaluationId}`, { key: api.keys.viewer });
    const evaluation = body as {
      split: string;
      metrics: Record<string, number>;
      curves: { gainsTable?: unknown[]; roc?: unknown[] };
      slices: { segment: string }[];
      reasons: string[];
    };
    expect(evaluation.split).toBe('all');
    const expected = evaluateClassification(
      { numClasses: 2, yTrue: labelled.map((r) => r.y), scores: labelled.map((r) => r.p) },
      { classNames: ['0', '1'], threshold },
    );
    for (const metric of ['auc', 'logLoss', 'accuracy', 'liftTop10', 'captureTop20'])
      expect(evaluation.metrics[metric], metric).toBeCloseTo(expected.metrics[metric]!, 9);
    expect(evaluation.curves.gainsTable).toHaveLength(11);
    expect(evaluation.curves.roc!.length).toBeGreaterThan(2);
    expect(evaluation.slices.map((s) => s.segment)).toEqual(['class=0', 'class=1']);
    expect(evaluation.reasons.some((r) => r.startsWith('trivial baseline: auc'))).toBe(true);
  });

  it('refuses a dataset version without a column the model reads', async () => {
    const { version } = await ingestDatasetVersion(
      { registry: api.db.registry, store },
      {
        datasetId: customersDatasetId,
        spec: {
          useCase: 'tabular',
          source: {
            kind: 'stream',
            stream: createReadStream(customersPath),
            format: 'csv',
            name: 'customers.csv',
          },
          columnMap: { target: 'CHURNED' },
          columnTypes: {
            SEGMENT: 'categorical',
            REGION: 'categorical',
            CUSTOMER_ID: 'id',
            SUPPORT_CALLS: 'ignore',
          },
        },
      },
    );
    const refused = await api.request('POST', `/model-versions/${modelVersionId}/evaluations`, {
      key: api.keys.editor,
      body: { datasetVersionId: version.id },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'schema_mismatch' });
    expect((refused.body as { detail: string }).detail).toContain(
      'lacks the column SUPPORT_CALLS that model version customers v1 reads',
    );
  });

  it('fails a model worse than the trivial baseline with that reason: the labels of the customers flipped', async () => {
    // Every CHURNED flipped: the model now ranks churners last, worse than a constant score.
    const flipped = customerLines
      .map((line, i) => (i === 0 ? line : line.replace(/,([01])$/, (_, y: string) => `,${1 - Number(y)}`)))
      .join('\n');
    const { version } = await ingestDatasetVersion(
      { registry: api.db.registry, store },
      {
        datasetId: customersDatasetId,
        spec: {
          useCase: 'tabular',
          source: { kind: 'stream', stream: Readable.from([flipped]), format: 'csv', name: 'flipped.csv' },
          columnMap: { target: 'CHURNED' },
          columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id' },
        },
      },
    );
    const started = await api.request('POST', `/model-versions/${modelVersionId}/evaluations`, {
      key: api.keys.editor,
      body: { datasetVersionId: version.id },
    });
    const job = (await finished((started.body as Job).id)) as Job & { evaluationId: string };
    const { body } = await api.request('GET', `/evaluations/${job.evaluationId}`, { key: api.keys.viewer });
    const evaluation = body as { verdict: string; reasons: string[]; metrics: Record<string, number> };
    expect(evaluation.metrics.auc).toBeLessThan(0.5);
    expect(evaluation.verdict).toBe('failed');
    expect(evaluation.reasons).toContainEqual(
      expect.stringMatching(
        /^trivial baseline: auc 0\.\d+ does not beat 0\.500 of a constant score: failed, the model is no better than the trivial baseline$/,
      ),
    );
  });
});
