/**
 * Shared set-up for the pipeline tests: an own schema and Redis prefix, a dataset with one
 * version, experiments whose hyperparameters steer the test handlers, short locks and backoffs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash, randomUUID } from 'node:crypto';
import {
  createExperiment,
  ensureDataset,
  registerDatasetVersion,
  type Experiment,
  type Run,
} from '@lathe/registry';
import { createPipeline, type JobSpecOverrides, type Pipeline } from '@lathe/queues';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '../harness/index.ts';

export const FAST_JOBS: JobSpecOverrides = {
  ingest: { backoff: { baseMs: 20, capMs: 100 }, lockDurationMs: 2_000 },
  train: { attempts: 3, backoff: { baseMs: 20, capMs: 100 }, lockDurationMs: 2_000 },
  evaluate: { backoff: { baseMs: 20, capMs: 100 }, lockDurationMs: 2_000 },
  deploy: { backoff: { baseMs: 20, capMs: 100 }, lockDurationMs: 2_000 },
  scheduleTick: { backoff: { baseMs: 20, capMs: 100 } },
};

export interface PipelineFixture {
  db: TestDatabase;
  redis: TestRedis;
  pipeline: Pipeline;
  datasetId: string;
  datasetVersionId: string;
  experiment(
    hyperparameters?: Record<string, unknown>,
    options?: { cacheEnabled?: boolean },
  ): Promise<Experiment>;
  close(): Promise<void>;
}

export async function createPipelineFixture(
  label: string,
  jobs: JobSpecOverrides = FAST_JOBS,
): Promise<PipelineFixture> {
  const db = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const pipeline = createPipeline({
    registry: db.registry,
    connection: redis.redisUrl,
    prefix: redis.prefix,
    jobs,
    codeVersion: 'test',
  });
  const dataset = await ensureDataset(db.registry, { name: `ds-${label}`, useCase: 'tabular' });
  const content = `rows of ${label}`;
  const { version } = await registerDatasetVersion(db.registry, {
    datasetId: dataset.id,
    sha256: createHash('sha256').update(content).digest('hex'),
    uri: `memory://${label}`,
    format: 'csv',
    rows: 10,
    sizeBytes: content.length,
    schema: {},
    source: { kind: 'test' },
  });
  return {
    db,
    redis,
    pipeline,
    datasetId: dataset.id,
    datasetVersionId: version.id,
    experiment: (hyperparameters = {}, options = {}) =>
      createExperiment(db.registry, {
        name: `exp-${randomUUID().slice(0, 8)}`,
        useCase: 'tabular',
        modelFamily: 'mlp',
        hyperparameters: hyperparameters as never,
        datasetId: dataset.id,
        gate: [],
        rolloutPolicy: {},
        ...(options.cacheEnabled !== undefined ? { cacheEnabled: options.cacheEnabled } : {}),
      }),
    async close() {
      await pipeline.close();
      await redis.cleanup();
      await db.drop();
    },
  };
}

/** Polls the run until its status is one of `statuses` (tests never assert on time itself). */
export async function waitForRun(
  pipeline: Pipeline,
  runId: string,
  statuses: Run['status'][],
  timeoutMs = 20_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await pipeline.registry.run.findUniqueOrThrow({ where: { id: runId } });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} is ${run.status} (stage ${run.stage}), not ${statuses.join('/')}, after ${timeoutMs} ms`,
      );
    await sleep(50);
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
