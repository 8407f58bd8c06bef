import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunWithStages } from '@lathe/registry';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { REPO_ROOT } from '../harness/index.ts';
import { createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { callsOf, epochsRun, testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fx = await createPipelineFixture('recovery');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await fx.close();
});

function spawnWorker(): Promise<ChildProcess> {
  // node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild that
  // a SIGKILL of the CLI would leave running.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test/pipeline/fixtures/worker-process.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: fx.db.schemaUrl,
        REDIS_URL: fx.redis.redisUrl,
        LATHE_QUEUE_PREFIX: fx.redis.prefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

describe('recovery', () => {
  it('a worker killed with SIGKILL mid-stage: another picks the stage up and its output exists once', async () => {
    const experiment = await fx.experiment({ epochs: 10, epochMs: 100 });
    const first = await spawnWorker();
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    // Mid-train: some epoch metrics are recorded.
    await waitFor(
      'train under way',
      async () => (await fx.db.registry.runMetric.count({ where: { runId: run.id } })) >= 2,
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const midway = await getRunWithStages(fx.db.registry, run.id);
    expect(midway.stages.find((s) => s.stage === 'train')!.status).toBe('running');

    const second = await spawnWorker();
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 30_000);
    expect(done.status).toBe('succeeded');
    expect(await fx.db.registry.modelVersion.count({ where: { runId: run.id } })).toBe(1);
    expect(await fx.db.registry.datasetVersion.count({ where: { datasetId: fx.datasetId } })).toBe(1);
    const stages = (await getRunWithStages(fx.db.registry, run.id)).stages;
    expect(stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(stages.find((s) => s.stage === 'train')!.attempts).toBe(2);
    expect(stages.find((s) => s.stage === 'ingest')!.attempts).toBe(1);
    expect(stages.find((s) => s.stage === 'evaluate')!.output).toMatchObject({
      modelVersionId: (stages.find((s) => s.stage === 'train')!.output as { modelVersionId: string })
        .modelVersionId,
    });
    second.kill('SIGTERM');
    expect(await new Promise((resolve) => second.once('exit', resolve))).toBe(0);
  });

  it('after the prefix is flushed mid-run, the reconciler re-enqueues from the recorded stage and the run completes', async () => {
    const workers: WorkerGroup = await startWorkers({
      pipeline: fx.pipeline,
      stages: ['ingest', 'train', 'evaluate', 'deploy'],
      handlers: testHandlers,
    });
    try {
      const experiment = await fx.experiment({ epochs: 8, epochMs: 30 });
      const run = await fx.pipeline.startRun({ experimentId: experiment.id });
      await waitFor('train under way', async () => (epochsRun.get(run.id) ?? 0) >= 2);
      expect(await fx.redis.flush()).toBeGreaterThan(0);
      // Nothing is left in Redis: only Postgres knows the run. Let the active stage finish.
      await waitFor(
        'train recorded',
        async () =>
          (await getRunWithStages(fx.db.registry, run.id)).stages.find((s) => s.stage === 'train')!.status ===
          'succeeded',
      );
      expect(await fx.pipeline.queues.evaluate.getJob(`run-${run.id}-evaluate`)).toBeUndefined();
      const result = await fx.pipeline.reconcileRuns({ olderThanMs: 0 });
      expect(result.requeued).toContainEqual({ runId: run.id, fromStage: 'evaluate' });
      const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed']);
      expect(done.status).toBe('succeeded');
      expect(callsOf(run.id, 'ingest')).toBe(1);
      expect(callsOf(run.id, 'train')).toBe(1);
      expect(callsOf(run.id, 'deploy')).toBe(1);
      // A second pass finds nothing to do.
      expect((await fx.pipeline.reconcileRuns({ olderThanMs: 0 })).requeued).toEqual([]);
    } finally {
      await workers.close();
    }
  });
});
