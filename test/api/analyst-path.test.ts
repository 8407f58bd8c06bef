/**
 * The analyst's path, through the CLI and the API only (the test never reads or writes the
 * registry): ingest the committed customers sample with options (label CHURNED, integer-coded
 * SEGMENT/REGION declared categorical, an id column), sweep the tabular family's
 * hyperparameters, pick and promote the best trial, score a file of customers with its model,
 * and read the evaluation's lift in the top 10%. Real API, real pipeline on real Redis, the real
 * ingest/train/evaluate/deploy handlers and the scoring worker; models really train.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { silentLogger } from '@lathe/core';
import { createDatasetAccess } from '@lathe/data';
import { parseHyperparameters, selectBackend } from '@lathe/ml';
import { startScoringWorker, startWorkers, type WorkerGroup } from '@lathe/queues';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { ingestWithData } from '../../services/api/src/ingest-with-data.ts';
import { createDeployHandler } from '../../services/deploy/src/handler.ts';
import { createEvaluateHandler } from '../../services/evaluate/src/handler.ts';
import { createScoringHandler } from '../../services/evaluate/src/scoring/score-dataset.ts';
import { createIngestHandler } from '../../services/ingest/src/handler.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

const customers = fileURLToPath(new URL('../fixtures/analyst/customers.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lathe-analyst-'));
let api: TestApi;
let workers: WorkerGroup;
let scoring: Awaited<ReturnType<typeof startScoringWorker>>;

async function lathe(...argv: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env: { HOME: dir, LATHE_API_URL: api.url, LATHE_API_KEY: api.keys.editor },
    fetch: globalThis.fetch,
  };
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`lathe ${argv.join(' ')} exited ${code}: ${err}`);
  return out;
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  const store = new LocalArtifactStore(join(dir, 'artifacts'));
  api = await startTestApi(
    'analyst-path',
    {},
    {
      ingest: (input) => ingestWithData(api.db.registry, store)(input),
      artifacts: store,
      validateHyperparameters: (family, input) =>
        parseHyperparameters(family, input) as Record<string, unknown>,
    },
  );
  const datasets = createDatasetAccess(store);
  workers = await startWorkers({
    pipeline: api.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: createIngestHandler(),
      train: createTrainHandler({ store, datasets }),
      evaluate: createEvaluateHandler({ store, datasets }),
      deploy: createDeployHandler(),
    },
    concurrency: { ingest: 1, train: 2, evaluate: 2, deploy: 1 },
  });
  scoring = await startScoringWorker({
    pipeline: api.pipeline,
    logger: silentLogger,
    score: createScoringHandler({ registry: api.db.registry, store }),
  });
}, 120_000);

afterAll(async () => {
  await scoring?.close();
  await workers?.close();
  await api?.close();
});

interface Trial {
  runId: string;
  modelVersionId: string | null;
  status: string;
  hyperparameters: Record<string, unknown>;
  value: number | null;
  rank: number | null;
  keptEpoch: number | null;
}

describe("the analyst's path", () => {
  it('ingest with options → sweep → promote the best → score a file → lift at 10%', async () => {
    // 1. Ingest with options, through the CLI.
    const ingested = await lathe(
      'dataset',
      'ingest',
      customers,
      '--use-case',
      'tabular',
      '--name',
      'customers',
      '--target',
      'CHURNED',
      '--categorical',
      'SEGMENT,REGION',
      '--id',
      'CUSTOMER_ID',
      '--split',
      'stratified',
    );
    expect(ingested).toMatch(/created customers v1 \(1000 rows/);
    const created = await lathe(
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
      '--hyperparameters',
      '{"epochs": 6}',
    );
    const experimentId = /\(([0-9a-f-]{36})\)/.exec(created)![1]!;

    // 2. A grid sweep of 4 trials, waited for and ranked on validation loss at each kept epoch.
    const shown = await lathe(
      'sweep',
      'start',
      'churn',
      '--grid',
      '{"learningRate":[0.001,0.01],"hiddenUnits":[[8],[32,16]]}',
      '--wait',
    );
    const sweepId = /^sweep ([0-9a-f-]{36}) \(finished\): 4 trials ranked by valLoss/m.exec(shown)![1]!;
    const { body: sweep } = await api.request('GET', `/sweeps/${sweepId}`, { key: api.keys.viewer });
    const { trials, best } = sweep as { trials: Trial[]; best: Trial };
    expect(trials).toHaveLength(4);
    const values = trials.map((t) => t.value!);
    expect(values.every((v) => Number.isFinite(v))).toBe(true);
    expect(best.value).toBe(Math.min(...values));
    expect(trials.map((t) => t.rank)).toEqual([1, 2, 3, 4]);
    // The same sweep again: every trial's training comes from the stage cache, and the ranking
    // reads the runs that trained the models.
    const again = await api.request('POST', `/experiments/${experimentId}/sweeps`, {
      key: api.keys.editor,
      body: {
        space: {
          strategy: 'grid',
          parameters: { learningRate: [0.001, 0.01], hiddenUnits: [[8], [32, 16]] },
        },
      },
    });
    expect(again.status).toBe(201);
    const againId = (again.body as { id: string }).id;
    const rerun = await lathe('sweep', 'show', againId, '--wait');
    expect(rerun).toContain('(finished): 4 trials');
    const { body: cachedSweep } = await api.request('GET', `/sweeps/${againId}`, { key: api.keys.viewer });
    const cachedTrials = (cachedSweep as { trials: Trial[] }).trials;
    expect(cachedTrials.map((t) => [t.value, t.modelVersionId])).toEqual(
      trials.map((t) => [t.value, t.modelVersionId]),
    );
    const { body: cachedRun } = await api.request('GET', `/runs/${cachedTrials[0]!.runId}`, {
      key: api.keys.viewer,
    });
    expect(
      (cachedRun as { stages: { stage: string; cacheHit: boolean }[] }).stages.find(
        (st) => st.stage === 'train',
      )!.cacheHit,
    ).toBe(true);

    // 3-fold cross-validation on the training split: one trial, three runs on different folds,
    // ranked by the mean of their validation losses.
    const cv = await lathe(
      'sweep',
      'start',
      'churn',
      '--grid',
      '{"learningRate":[0.01]}',
      '--folds',
      '3',
      '--wait',
    );
    const cvId = /^sweep ([0-9a-f-]{36}) \(finished\): 1 trials ranked by valLoss \(mean of 3 folds\)/m.exec(
      cv,
    )![1]!;
    const { body: cvSweep } = await api.request('GET', `/sweeps/${cvId}`, { key: api.keys.viewer });
    const cvTrial = (cvSweep as { trials: (Trial & { runIds: string[]; foldValues: number[] })[] })
      .trials[0]!;
    expect(cvTrial.runIds).toHaveLength(3);
    expect(new Set(cvTrial.foldValues).size).toBe(3); // three folds, three different validation sets
    expect(cvTrial.value).toBeCloseTo(cvTrial.foldValues.reduce((a, b) => a + b, 0) / 3, 12);

    // Trials are compared, never shipped: no deployment came out of the sweep.
    const { body: deployments } = await api.request('GET', '/deployments', { key: api.keys.viewer });
    expect((deployments as { items: unknown[] }).items).toHaveLength(0);

    // 3. Promote the best trial to the experiment's defaults.
    await lathe('sweep', 'promote', sweepId);
    const { body: experiment } = await api.request('GET', `/experiments/${experimentId}`, {
      key: api.keys.viewer,
    });
    expect((experiment as { hyperparameters: Record<string, unknown> }).hyperparameters).toMatchObject({
      epochs: 6,
      ...best.hyperparameters,
    });

    // 4. Score a file of customers (no label column) with the best trial's model.
    const lines = readFileSync(customers, 'utf8').trim().split('\n');
    const toScore = join(dir, 'to-score.csv');
    writeFileSync(
      toScore,
      lines
        .slice(0, 201)
        .map((l) => l.split(',').slice(0, -1).join(','))
        .join('\n') + '\n',
    );
    const scoresPath = join(dir, 'scores.csv');
    await lathe(
      'score',
      best.modelVersionId!,
      '--file',
      toScore,
      '--keys',
      'CUSTOMER_ID',
      '--out',
      scoresPath,
    );
    const scored = readFileSync(scoresPath, 'utf8').trim().split('\n');
    expect(scored[0]).toBe('CUSTOMER_ID,score,label,probability_0,probability_1');
    expect(scored.slice(1).map((l) => l.split(',')[0])).toEqual(
      lines.slice(1, 201).map((l) => l.split(',')[0]),
    );

    // 5. The lift at 10% of the best trial's evaluation, and the run's account of its training.
    const { body: evaluations } = await api.request(
      'GET',
      `/evaluations?modelVersionId=${best.modelVersionId}`,
      {
        key: api.keys.viewer,
      },
    );
    const evaluation = (
      evaluations as {
        items: {
          metrics: Record<string, number>;
          curves: { gainsTable?: { fraction: number; lift: number; rows: number }[] };
        }[];
      }
    ).items[0]!;
    const top10 = evaluation.curves.gainsTable!.find((r) => r.fraction === 0.1)!;
    expect(evaluation.metrics.liftTop10).toBe(top10.lift);
    expect(top10.rows).toBe(
      Math.ceil(
        0.1 *
          (evaluation as unknown as { curves: { gainsTable: { rows: number }[] } }).curves.gainsTable.at(-1)!
            .rows,
      ),
    );
    expect(evaluation.metrics.auc).toBeGreaterThan(0.5);
    const { body: run } = await api.request('GET', `/runs/${best.runId}`, { key: api.keys.viewer });
    const outcome = (
      run as {
        trainingOutcome: { keptEpoch: number; reason: string; decisionThreshold: { chosenOn: string } };
      }
    ).trainingOutcome;
    expect(outcome.keptEpoch).toBe(best.keptEpoch);
    expect(outcome.decisionThreshold.chosenOn).toBe('validation'); // ~11% churners: imbalanced
    console.log(
      `analyst path: best trial ${JSON.stringify(best.hyperparameters)} valLoss ${best.value!.toFixed(4)}; test AUC ${evaluation.metrics.auc!.toFixed(3)}, liftTop10 ${evaluation.metrics.liftTop10!.toFixed(2)}`,
    );
  }, 600_000);
});
