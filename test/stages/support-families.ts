/**
 * Set-up for training every model family on real sample data through the real stages: the
 * pipeline fixture (own Postgres schema and Redis prefix), a local artifact store, the real
 * ingest handler (reading the experiment's `source` with @lathe/data) and the real train
 * handler (reading the dataset version with createDatasetAccess). Evaluate and deploy pass
 * through: the tests score the model themselves with held-out rows and a baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess } from '@lathe/data';
import {
  isDefinedMetric,
  loadModel,
  ndcgAtK,
  popularityRanking,
  popularityRecommendations,
  type LoadedModel,
  type MetricValue,
  type ModelFamily,
} from '@lathe/ml';
import type { OpenedDataset } from '@lathe/contract';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import {
  createExperiment,
  ensureDataset,
  getDatasetVersion,
  type DatasetVersion,
  type ModelVersion,
  type Run,
} from '@lathe/registry';
import { createIngestHandler } from '../../services/ingest/src/handler.ts';
import { createIngestSource } from '../../services/ingest/src/ingest-source.ts';
import { createTrainHandler } from '../../services/train/src/handler.ts';
import { REPO_ROOT, deployNothing, recordedVerdict } from '../harness/index.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from '../pipeline/support.ts';

/**
 * The Wisconsin Diagnostic Breast Cancer data (Street, Wolberg & Mangasarian 1993; UCI, CC BY
 * 4.0): 569 real tumours, 30 numeric features, diagnosis malignant/benign. Copied from Debian's
 * python3-sklearn (`sklearn/datasets/data/breast_cancer.csv`) with a header row added and the
 * class index written as its name, so the test does not depend on that package being installed.
 */
export const BREAST_CANCER_CSV = join(REPO_ROOT, 'test/stages/fixtures/breast-cancer-wisconsin.csv');

export interface FamilyRun {
  run: Run;
  modelVersion: ModelVersion;
  datasetVersion: DatasetVersion;
  /** The model version's artifact, loaded with its sha256 verified. */
  model: LoadedModel;
  /** The dataset version as training read it. */
  dataset: OpenedDataset;
  artifact: Uint8Array;
}

export interface RunInput {
  family: ModelFamily;
  useCase: string;
  source: Record<string, unknown>;
  hyperparameters: Record<string, unknown>;
  seed?: number;
}

export interface FamiliesHarness {
  fx: PipelineFixture;
  store: LocalArtifactStore;
  /** Starts a run of a new experiment (its own dataset) and returns it queued. */
  start(input: RunInput): Promise<Run>;
  /** Starts a run, waits for it to succeed and loads its model version. */
  train(input: RunInput): Promise<FamilyRun>;
  close(): Promise<void>;
}

export async function startFamiliesHarness(label: string): Promise<FamiliesHarness> {
  const fx = await createPipelineFixture(label);
  const dir = await mkdtemp(join(tmpdir(), `lathe-${label}-`));
  const store = new LocalArtifactStore(dir);
  const datasets = createDatasetAccess(store);
  const workers: WorkerGroup = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: createIngestHandler({ ingestSource: createIngestSource({ store }) }),
      train: createTrainHandler({ store, datasets }),
      evaluate: recordedVerdict(),
      deploy: deployNothing,
    },
  });
  const opened: LoadedModel[] = [];
  let runs = 0;
  async function start({ family, useCase, source, hyperparameters, seed = 1 }: RunInput): Promise<Run> {
    const name = `${label}-${family}-${++runs}`;
    const dataset = await ensureDataset(fx.db.registry, { name, useCase: useCase as never });
    const experiment = await createExperiment(fx.db.registry, {
      name,
      useCase: useCase as never,
      modelFamily: family,
      hyperparameters: hyperparameters as never,
      datasetId: dataset.id,
      source: source as never,
      gate: [],
      rolloutPolicy: {},
      cacheEnabled: false,
    });
    return fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed });
  }
  return {
    fx,
    store,
    start,
    async train(input) {
      const started = await start(input);
      const run = await waitForRun(fx.pipeline, started.id, ['succeeded', 'failed'], 120_000);
      if (run.status !== 'succeeded')
        throw new Error(
          `${input.family} run failed at ${run.errorStage}: ${run.errorCode} ${run.errorMessage}`,
        );
      const modelVersion = await fx.db.registry.modelVersion.findFirstOrThrow({ where: { runId: run.id } });
      const datasetVersion = await getDatasetVersion(fx.db.registry, run.datasetVersionId!);
      const artifact = await store.getBuffer(modelVersion.sha256);
      const model = await loadModel(artifact, { expectedSha256: modelVersion.sha256 });
      opened.push(model);
      return {
        run,
        modelVersion,
        datasetVersion,
        model,
        dataset: await datasets.open(datasetVersion),
        artifact,
      };
    },
    async close() {
      for (const model of opened) model.dispose();
      await workers.close();
      await fx.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function defined(value: MetricValue): number {
  if (!isDefinedMetric(value)) throw new Error(value.reason);
  return value;
}

async function collect<T>(rows: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row as T);
  return out;
}

/**
 * Accuracy of the model on the test split, and the accuracy of always answering the training
 * split's most frequent label (the chance level a model must beat).
 */
export async function heldOutAccuracy(
  run: FamilyRun,
): Promise<{ accuracy: number; majority: number; rows: number; labels: Set<string> }> {
  const labelOf = (row: { label?: string; target?: string | number }) => String(row.label ?? row.target);
  const counts = new Map<string, number>();
  for (const row of await collect<{ label?: string; target?: string }>(run.dataset.rows('train')))
    counts.set(labelOf(row), (counts.get(labelOf(row)) ?? 0) + 1);
  const mostFrequent = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const test = await collect<{ label?: string; target?: string }>(run.dataset.rows('test'));
  const predictions = await run.model.predict(test);
  let correct = 0;
  let majority = 0;
  const labels = new Set<string>();
  predictions.forEach((prediction, i) => {
    labels.add(prediction.label!);
    if (prediction.label === labelOf(test[i]!)) correct += 1;
    if (mostFrequent === labelOf(test[i]!)) majority += 1;
  });
  return { accuracy: correct / test.length, majority: majority / test.length, rows: test.length, labels };
}

/**
 * Mean NDCG@10 over the test split's users: the model's top 10 (items seen in training excluded)
 * against the most popular items the user has not seen, both scored on the held-out items.
 */
export async function rankingQuality(
  run: FamilyRun,
): Promise<{ ndcg: number; popularityNdcg: number; users: number }> {
  const train = await collect<{ user: string; item: string }>(run.dataset.rows('train'));
  const seen = new Map<string, Set<string>>();
  for (const row of train) seen.set(row.user, (seen.get(row.user) ?? new Set()).add(row.item));
  const popular = popularityRanking(train.map((row) => ({ itemId: row.item }))).map(String);
  const relevant = new Map<string, string[]>();
  for (const row of await collect<{ user: string; item: string }>(run.dataset.rows('test')))
    relevant.set(row.user, [...(relevant.get(row.user) ?? []), row.item]);
  let ndcg = 0;
  let popularityNdcg = 0;
  for (const [user, items] of relevant) {
    const exclude = seen.get(user) ?? new Set<string>();
    const recommended = await run.model.recommend(user, 10, { exclude: [...exclude] });
    ndcg += defined(
      ndcgAtK(
        recommended.map((r) => r.item),
        items,
        10,
      ),
    );
    popularityNdcg += defined(ndcgAtK(popularityRecommendations(popular, 10, exclude), items, 10));
  }
  return { ndcg: ndcg / relevant.size, popularityNdcg: popularityNdcg / relevant.size, users: relevant.size };
}
