/**
 * The real Redis server (a redis-server process of this test's own, not the shared one, not a
 * proxy) killed with SIGKILL in the middle of running pipelines and started again on the same
 * port: once with AOF on (fsync per write: the queues come back as they were) and once with no
 * persistence (every job, lock and flow is gone). Either way every run completes, each stage
 * recorded once and one model version per run: BullMQ's clients reconnect, and the reconciler
 * re-enqueues, from the stage Postgres says is next, the runs whose jobs Redis lost.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPipeline,
  startRecoveryLoop,
  startWorkers,
  type Pipeline,
  type WorkerGroup,
} from '@lathe/queues';
import { createExperiment, ensureDataset, getRunWithStages, registerDatasetVersion } from '@lathe/registry';
import { createTestDatabase, startOwnRedis, type OwnServer, type TestDatabase } from '../harness/index.ts';
import { FAST_JOBS, waitFor, waitForRun } from '../pipeline/support.ts';
import { testHandlers } from '../pipeline/fixtures/test-handlers.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  // Bounded: a failed test must not leave the file hanging in its teardown.
  for (const cleanup of cleanups.reverse())
    await Promise.race([cleanup().catch(() => undefined), sleep(10_000)]);
});

/** Keys of stage jobs (`<prefix>:<queue>:run-<id>-<stage>`) in the Redis at `url`. */
async function jobKeysOf(url: string, prefix: string): Promise<number> {
  const probe = new Redis(url);
  try {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}:*:run-*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    probe.disconnect();
  }
}

async function pipelineOn(
  redis: OwnServer,
  db: TestDatabase,
  prefix: string,
): Promise<{ pipeline: Pipeline; workers: WorkerGroup }> {
  const pipeline = createPipeline({
    registry: db.registry,
    connection: redis.url,
    prefix,
    jobs: FAST_JOBS,
    codeVersion: 'test',
  });
  const workers = await startWorkers({
    pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: testHandlers,
    stalledIntervalMs: 500,
  });
  cleanups.push(
    () => pipeline.close(),
    () => workers.close(),
  );
  return { pipeline, workers };
}

describe.each([
  { aof: true, label: 'with AOF' },
  { aof: false, label: 'without persistence' },
])('the Redis server restarted mid-pipeline $label', ({ aof }) => {
  it('completes every run with each stage recorded once', async () => {
    const redis = await startOwnRedis({ aof });
    const db = await createTestDatabase(`redis-restart-${aof ? 'aof' : 'none'}`);
    cleanups.push(
      () => redis.close(),
      () => db.drop(),
    );
    const prefix = `lathe-restart-${randomBytes(3).toString('hex')}`;
    const { pipeline } = await pipelineOn(redis, db, prefix);
    const dataset = await ensureDataset(db.registry, { name: 'restart', useCase: 'tabular' });
    await registerDatasetVersion(db.registry, {
      datasetId: dataset.id,
      sha256: 'a'.repeat(64),
      uri: 'memory://restart',
      format: 'csv',
      rows: 10,
      sizeBytes: 10,
      schema: {},
      source: { kind: 'test' },
    });
    const experiment = await createExperiment(db.registry, {
      name: `restart-${aof ? 'aof' : 'none'}`,
      useCase: 'tabular',
      modelFamily: 'mlp',
      hyperparameters: { epochs: 8, epochMs: 150 } as never,
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
      cacheEnabled: false,
    });
    const runs = [];
    for (let i = 0; i < 4; i++)
      runs.push(await pipeline.startRun({ experimentId: experiment.id, trigger: 'api', seed: i }));

    // Kill Redis while training is under way.
    await waitFor('a run in training', async () => {
      const rows = await db.registry.stageExecution.findMany({
        where: { stage: 'train', status: 'running' },
      });
      return rows.length > 0;
    });
    await redis.kill();
    await sleep(1_000);
    await redis.start();
    // What came back: every run's jobs as they were (AOF), or none of them (workers and
    // producers reconnect at once and write keys of their own, so only job keys are counted).
    const jobKeys = await jobKeysOf(redis.url, prefix);
    if (aof) expect(jobKeys).toBeGreaterThan(0);
    else expect(jobKeys).toBe(0);
    // The reconciler, as the ingest worker runs it (re-enqueues runs idle for a second).
    const recovery = startRecoveryLoop(pipeline, { intervalMs: 500, olderThanMs: 1_000 });
    cleanups.push(async () => recovery.stop());

    for (const run of runs) {
      const done = await waitForRun(pipeline, run.id, ['succeeded', 'failed', 'cancelled'], 120_000);
      expect(done.errorMessage).toBeNull();
      expect(done.status).toBe('succeeded');
      const { stages } = await getRunWithStages(db.registry, run.id);
      expect(stages.map((s) => [s.stage, s.status])).toEqual([
        ['ingest', 'succeeded'],
        ['train', 'succeeded'],
        ['evaluate', 'succeeded'],
        ['deploy', 'succeeded'],
      ]);
      expect(await db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
      const losses = await db.registry.runMetric.findMany({ where: { runId: run.id, name: 'loss' } });
      expect(losses.map((m) => m.step).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });
});
