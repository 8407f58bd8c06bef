/**
 * A stage that runs past its job's timeout: its attempt's signal is aborted (the handler can
 * stop), and once its attempts are spent the run fails with `stage_timeout` on that stage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunWithStages } from '@lathe/registry';
import { startWorkers, type WorkerGroup } from '@lathe/queues';
import { FAST_JOBS, createPipelineFixture, waitForRun, type PipelineFixture } from './support.ts';
import { abortsSeen, testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;

beforeAll(async () => {
  fx = await createPipelineFixture('timeout', {
    ...FAST_JOBS,
    train: { ...FAST_JOBS.train, attempts: 1, timeoutMs: 300 },
  });
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: testHandlers,
    concurrency: 1,
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
});

describe('stage timeout', () => {
  it('aborts the attempt past the timeout and fails the run on that stage', async () => {
    const experiment = await fx.experiment({ waitForAbort: true });
    const run = await fx.pipeline.startRun({ experimentId: experiment.id });
    const failed = await waitForRun(fx.pipeline, run.id, ['failed', 'succeeded', 'cancelled']);
    expect(failed).toMatchObject({ status: 'failed', errorStage: 'train', errorCode: 'stage_timeout' });
    expect(failed.errorMessage).toMatch(/longer than 300 ms/);
    // The handler, waiting on its signal, saw it aborted.
    expect(abortsSeen.has(run.id)).toBe(true);
    const train = (await getRunWithStages(fx.db.registry, run.id)).stages.find((s) => s.stage === 'train')!;
    expect(train).toMatchObject({ status: 'failed', errorCode: 'stage_timeout' });
  });
});
