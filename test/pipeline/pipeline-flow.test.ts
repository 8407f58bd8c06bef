import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunWithStages, requestCancel } from '@lathe/registry';
import { startWorkers, stageJobId, type RunProgressEvent, type WorkerGroup } from '@lathe/queues';
import { createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { abortsSeen, callsOf, epochsRun, testHandlers, waitingForAbort } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;

beforeAll(async () => {
  fx = await createPipelineFixture('flow');
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: testHandlers,
    concurrency: 2,
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
});

describe('run flow', () => {
  it('goes ingest → train → evaluate → deploy in order, each stage recorded in the registry', async () => {
    const experiment = await fx.experiment({ epochs: 2 });
    const stream = fx.pipeline.progressEvents();
    await stream.ready;
    const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api' });
    const events: RunProgressEvent[] = [];
    for await (const event of stream) {
      if (event.runId !== run.id) continue;
      events.push(event);
      if (event.stage === 'deploy' && event.event === 'completed') break;
    }
    await stream.close();

    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toBe(1);
    expect(done.datasetVersionId).toBe(fx.datasetVersionId);
    const withStages = await getRunWithStages(fx.db.registry, run.id);
    expect(withStages.stages.map((s) => [s.stage, s.status, s.attempts])).toEqual([
      ['ingest', 'succeeded', 1],
      ['train', 'succeeded', 1],
      ['evaluate', 'succeeded', 1],
      ['deploy', 'succeeded', 1],
    ]);
    // Each stage started after the previous one finished.
    for (let i = 1; i < 4; i++) {
      expect(withStages.stages[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(
        withStages.stages[i - 1]!.finishedAt!.getTime(),
      );
    }
    expect(withStages.stages[0]!.output).toMatchObject({ datasetVersionId: fx.datasetVersionId });
    // Live progress: every stage was seen active then completed, in pipeline order.
    const completed = events.filter((e) => e.event === 'completed').map((e) => e.stage);
    expect(completed).toEqual(['ingest', 'train', 'evaluate', 'deploy']);
    expect(events.some((e) => e.event === 'progress' && e.stage === 'train')).toBe(true);
  });

  it('starting the same run twice (same idempotency key) creates one run and one flow', async () => {
    const experiment = await fx.experiment();
    const [a, b] = await Promise.all([
      fx.pipeline.startRun({ experimentId: experiment.id, idempotencyKey: 'same-request' }),
      fx.pipeline.startRun({ experimentId: experiment.id, idempotencyKey: 'same-request' }),
    ]);
    expect(a.id).toBe(b.id);
    await waitForRun(fx.pipeline, a.id, ['succeeded']);
    expect(callsOf(a.id, 'ingest')).toBe(1);
    expect(callsOf(a.id, 'deploy')).toBe(1);
    expect(await fx.db.registry.run.count({ where: { idempotencyKey: 'same-request' } })).toBe(1);
  });

  it('a stage that throws twice then succeeds completes the run', async () => {
    const experiment = await fx.experiment({ trainFailures: 2 });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    const train = (await getRunWithStages(fx.db.registry, run.id)).stages.find((s) => s.stage === 'train')!;
    expect(train.attempts).toBe(3);
    expect(callsOf(run.id, 'train')).toBe(3);
  });

  it('a stage that always throws fails the run with stage, code and message; retry resumes from that stage', async () => {
    const experiment = await fx.experiment({ trainFailures: 'always' });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    const failed = await waitForRun(fx.pipeline, run.id, ['failed', 'succeeded']);
    expect(failed).toMatchObject({ status: 'failed', errorStage: 'train', errorCode: 'train_diverged' });
    expect(failed.errorMessage).toMatch(/loss became NaN at epoch 1 \(attempt 3\)/);
    expect(callsOf(run.id, 'train')).toBe(3);
    expect(callsOf(run.id, 'evaluate')).toBe(0);

    const letters = await waitFor('dead letter', async () => {
      const list = await fx.pipeline.listFailedJobs({ queue: 'train', limit: 10 });
      return list.find((l) => l.runId === run.id) ?? null;
    });
    expect(letters).toMatchObject({ jobId: stageJobId(run.id, 'train'), stage: 'train', attemptsMade: 3 });

    // The fix lands (the experiment no longer fails) and the API redrives the dead letter.
    // (Unique hyperparameters: identical ones would reuse another run's train output.)
    await fx.db.registry.experiment.update({
      where: { id: experiment.id },
      data: { hyperparameters: { fixedFor: run.id } },
    });
    const { fromStage } = await fx.pipeline.redrive(letters.jobId);
    expect(fromStage).toBe('train');
    const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.errorCode).toBeNull();
    expect(callsOf(run.id, 'ingest')).toBe(1); // not from scratch
    expect(callsOf(run.id, 'train')).toBe(4);
    expect((await fx.pipeline.listFailedJobs({ queue: 'train' })).some((l) => l.runId === run.id)).toBe(
      false,
    );
  });

  it('a payload that fails validation fails at once, recorded on the run, without retries', async () => {
    const experiment = await fx.experiment();
    const { run } = await import('@lathe/registry').then((r) =>
      r.createRun(fx.db.registry, { experimentId: experiment.id }),
    );
    const job = await fx.pipeline.queues.ingest.add(
      'ingest',
      { runId: run.id, rows: [1, 2, 3] },
      { attempts: 3, jobId: stageJobId(run.id, 'ingest') },
    );
    const failed = await waitForRun(fx.pipeline, run.id, ['failed']);
    expect(failed.errorCode).toBe('invalid_payload');
    expect(failed.errorMessage).toMatch(/rows/);
    // State first, then the job: a job read before it moved to failed has its old attempt count.
    const after = await waitFor('job failed', async () =>
      (await fx.pipeline.queues.ingest.getJobState(job.id!)) === 'failed'
        ? fx.pipeline.queues.ingest.getJob(job.id!)
        : null,
    );
    expect(after.attemptsMade).toBe(1);
    expect(callsOf(run.id, 'ingest')).toBe(0);
  });

  it('reuses an earlier successful train stage with the same inputs, unless caching is off', async () => {
    const experiment = await fx.experiment({ epochs: 1, lr: 0.1 });
    const first = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitForRun(fx.pipeline, first.id, ['succeeded']);
    const second = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitForRun(fx.pipeline, second.id, ['succeeded']);
    const third = await fx.pipeline.startRun({ experimentId: experiment.id, cache: false });
    await waitForRun(fx.pipeline, third.id, ['succeeded']);

    const trainOf = async (runId: string) =>
      (await getRunWithStages(fx.db.registry, runId)).stages.find((s) => s.stage === 'train')!;
    const [t1, t2, t3] = [await trainOf(first.id), await trainOf(second.id), await trainOf(third.id)];
    expect(t1.cacheHit).toBe(false);
    expect(t2).toMatchObject({
      cacheHit: true,
      cachedFromRunId: first.id,
      cacheKey: t1.cacheKey,
      output: t1.output,
    });
    expect(callsOf(second.id, 'train')).toBe(0);
    expect(t3.cacheHit).toBe(false);
    expect(callsOf(third.id, 'train')).toBe(1);
    // Ingest and deploy have side effects and are never cached.
    expect(callsOf(second.id, 'ingest')).toBe(1);
    expect(callsOf(second.id, 'deploy')).toBe(1);
  });

  it('cancelling a running run stops the active stage within one epoch and skips the rest', async () => {
    const experiment = await fx.experiment({ epochs: 200, epochMs: 20 });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitFor('train epochs', async () => (epochsRun.get(run.id) ?? 0) >= 3);
    await fx.pipeline.cancelRun(run.id);
    const seenAtCancel = epochsRun.get(run.id)!;
    const cancelled = await waitForRun(fx.pipeline, run.id, ['cancelled', 'succeeded', 'failed']);
    expect(cancelled.status).toBe('cancelled');
    expect(epochsRun.get(run.id)!).toBeLessThanOrEqual(seenAtCancel + 1);
    const stages = (await getRunWithStages(fx.db.registry, run.id)).stages.map((s) => [s.stage, s.status]);
    expect(stages).toEqual([
      ['ingest', 'succeeded'],
      ['train', 'cancelled'],
      ['evaluate', 'cancelled'],
      ['deploy', 'cancelled'],
    ]);
    // The pending stages' jobs drain without running their handlers.
    await waitFor('flow drained', async () =>
      (await fx.pipeline.queues.deploy.getJob(stageJobId(run.id, 'deploy')))?.isCompleted(),
    );
    expect(callsOf(run.id, 'evaluate')).toBe(0);
    expect(callsOf(run.id, 'deploy')).toBe(0);
  });

  it('an announced cancel aborts the active attempt at once: a handler that only listens to its signal stops', async () => {
    const experiment = await fx.experiment({ waitForAbort: true });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitFor('train waiting for its signal', async () => waitingForAbort.has(run.id));
    await fx.pipeline.cancelRun(run.id);
    const cancelled = await waitForRun(fx.pipeline, run.id, ['cancelled', 'succeeded', 'failed']);
    expect(abortsSeen.has(run.id)).toBe(true);
    // The handler threw a plain Error, but the run records a cancel, not a failure.
    expect(cancelled).toMatchObject({ status: 'cancelled', errorCode: null });
    expect(callsOf(run.id, 'train')).toBe(1);
    expect(callsOf(run.id, 'evaluate')).toBe(0);
  });

  it('a cancel whose announcement was lost is still seen by the attempt, through its registry poll', async () => {
    const experiment = await fx.experiment({ epochs: 1_000, epochMs: 20 });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    await waitFor('train epochs', async () => (epochsRun.get(run.id) ?? 0) >= 3);
    // Recorded in the registry only: no worker is told.
    await requestCancel(fx.db.registry, run.id);
    const cancelled = await waitForRun(fx.pipeline, run.id, ['cancelled', 'succeeded', 'failed']);
    expect(cancelled.status).toBe('cancelled');
    expect(epochsRun.get(run.id)!).toBeLessThan(1_000);
    expect(callsOf(run.id, 'evaluate')).toBe(0);
  });

  it('a queued run cancelled before it starts never runs a stage', async () => {
    const experiment = await fx.experiment();
    await workers.workers.find((w) => w.name === 'ingest')!.pause();
    try {
      const run = await fx.pipeline.startRun({ experimentId: experiment.id });
      const cancelled = await fx.pipeline.cancelRun(run.id);
      expect(cancelled.status).toBe('cancelled');
      expect(await fx.pipeline.queues.ingest.getJob(stageJobId(run.id, 'ingest'))).toBeUndefined();
      expect(callsOf(run.id, 'ingest')).toBe(0);
    } finally {
      await workers.workers.find((w) => w.name === 'ingest')!.resume();
    }
  });

  it('exposes queue stats and Prometheus gauges labelled by queue and stage', async () => {
    const stats = await fx.pipeline.queueStats();
    expect(stats.map((s) => s.queue)).toEqual([
      'ingest',
      'train',
      'evaluate',
      'deploy',
      'schedules',
      'scoring',
    ]);
    expect(stats.find((s) => s.queue === 'deploy')!.completed).toBeGreaterThan(0);
    const text = await fx.pipeline.metricsRegistry.metrics();
    expect(text).toMatch(/lathe_queue_depth\{queue="train",stage="train"\} \d+/);
    expect(text).toMatch(/lathe_queue_failed\{queue="schedules",stage="schedule"\} 0/);
    expect(text).toMatch(/lathe_queue_active\{queue="ingest",stage="ingest"\} \d+/);
  });
});
