import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendRunMetrics,
  claimStages,
  createRun,
  createRuns,
  ensureDataset,
  failStage,
  finishStages,
  getRunWithStages,
  IllegalTransitionError,
  isCancelRequested,
  listRunMetrics,
  prepareRetry,
  recordTrainingOutcome,
  requestCancel,
  transitionRun,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let experimentId: string;

beforeAll(async () => {
  db = await createTestDatabase('runs');
  const dataset = await ensureDataset(db.registry, { name: 'clicks', useCase: 'recommendation' });
  const experiment = await db.registry.experiment.create({
    data: {
      name: 'recs',
      useCase: 'recommendation',
      modelFamily: 'mf',
      hyperparameters: {},
      datasetId: dataset.id,
      gate: [],
      rolloutPolicy: {},
    },
  });
  experimentId = experiment.id;
});
afterAll(() => db.drop());

describe('runs', () => {
  it('creates a queued run with a pending row per stage', async () => {
    const { run } = await createRun(db.registry, { experimentId, seed: 7 });
    const withStages = await getRunWithStages(db.registry, run.id);
    expect(withStages.status).toBe('queued');
    expect(withStages.stages.map((s) => [s.stage, s.status])).toEqual([
      ['ingest', 'pending'],
      ['train', 'pending'],
      ['evaluate', 'pending'],
      ['deploy', 'pending'],
    ]);
  });

  it('returns the same run for the same idempotency key, even when requested concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createRun(db.registry, { experimentId, idempotencyKey: 'k-1' })),
    );
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('creates many runs in one statement, each failure in its own slot, with nothing created twice', async () => {
    const before = await db.registry.run.count();
    const existing = (await createRun(db.registry, { experimentId, idempotencyKey: 'k-batch' })).run;
    const results = await createRuns(db.registry, [
      { experimentId, seed: 1, params: { lr: 0.1 }, trigger: 'api' },
      { experimentId: 'no-such-experiment' },
      { experimentId, idempotencyKey: 'k-batch' },
      { experimentId, seed: 2 },
    ]);
    expect(results[0]).toMatchObject({
      created: true,
      run: { seed: 1, params: { lr: 0.1 }, trigger: 'api', status: 'queued' },
    });
    expect(results[1]).toBeInstanceOf(Error);
    expect((results[1] as Error).message).toMatch(/no-such-experiment/);
    expect(results[2]).toMatchObject({ created: false, run: { id: existing.id } });
    expect(results[3]).toMatchObject({ created: true, run: { seed: 2 } });
    // One row per created run (the existing key's run was not inserted again), each with its stages.
    expect(await db.registry.run.count()).toBe(before + 3);
    const stored = await getRunWithStages(db.registry, (results[0] as { run: { id: string } }).run.id);
    expect(stored).toMatchObject({ seed: 1, params: { lr: 0.1 }, trigger: 'api' });
    // The row's time is the returned one, to the millisecond (stored as UTC whatever the zone).
    expect(stored.queuedAt.toISOString()).toBe(
      (results[0] as { run: { queuedAt: Date } }).run.queuedAt.toISOString(),
    );
    expect(stored.stages).toHaveLength(4);
  });

  it('walks the stages and refuses an illegal transition with a typed error', async () => {
    const { run } = await createRun(db.registry, { experimentId });
    await claimStages(db.registry, [{ runId: run.id, stage: 'ingest' }]);
    await finishStages(db.registry, [{ runId: run.id, stage: 'ingest', output: { datasetVersionId: 'x' } }]);
    const [again] = await claimStages(db.registry, [{ runId: run.id, stage: 'ingest' }]);
    expect(again!.stageStatus).toBe('succeeded'); // a redelivered job finds its output
    expect(again!.doneOutputs.ingest).toEqual({ datasetVersionId: 'x' });
    await transitionRun(db.registry, run.id, 'succeeded');
    const attempt = transitionRun(db.registry, run.id, 'running');
    await expect(attempt).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(attempt).rejects.toMatchObject({ code: 'illegal_run_transition', httpStatus: 409 });
  });

  it('a cached train carries the training outcome of the run it reused', async () => {
    const { run: source } = await createRun(db.registry, { experimentId });
    const outcome = { keptEpoch: 3, reason: 'best validation loss', overfitting: false };
    await recordTrainingOutcome(db.registry, source.id, outcome);
    const { run } = await createRun(db.registry, { experimentId });
    await claimStages(db.registry, [{ runId: run.id, stage: 'train' }]);
    await finishStages(db.registry, [
      {
        runId: run.id,
        stage: 'train',
        output: { modelVersionId: 'm' },
        cacheHit: true,
        cachedFromRunId: source.id,
      },
    ]);
    const cached = await db.registry.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(cached.trainingOutcome).toEqual(outcome);
    // A train that ran keeps what its handler recorded; other stages leave it alone.
    await finishStages(db.registry, [{ runId: run.id, stage: 'ingest', output: { datasetVersionId: 'x' } }]);
    expect((await db.registry.run.findUniqueOrThrow({ where: { id: run.id } })).trainingOutcome).toEqual(
      outcome,
    );
  });

  it('fails the run with stage, code and message on a final failure, and retries from that stage', async () => {
    const { run } = await createRun(db.registry, { experimentId });
    await claimStages(db.registry, [{ runId: run.id, stage: 'ingest' }]);
    await finishStages(db.registry, [{ runId: run.id, stage: 'ingest', output: {} }]);
    await claimStages(db.registry, [{ runId: run.id, stage: 'train' }]);
    await failStage(db.registry, run.id, 'train', { code: 'boom', message: 'first', final: false });
    expect((await getRunWithStages(db.registry, run.id)).status).toBe('running');
    await claimStages(db.registry, [{ runId: run.id, stage: 'train' }]);
    await failStage(db.registry, run.id, 'train', { code: 'boom', message: 'out of memory', final: true });
    const failed = await getRunWithStages(db.registry, run.id);
    expect(failed).toMatchObject({
      status: 'failed',
      errorStage: 'train',
      errorCode: 'boom',
      errorMessage: 'out of memory',
    });
    expect(failed.stages.find((s) => s.stage === 'train')?.attempts).toBe(2);

    const { fromStage } = await prepareRetry(db.registry, run.id);
    expect(fromStage).toBe('train');
    const retried = await getRunWithStages(db.registry, run.id);
    expect(retried.status).toBe('queued');
    expect(retried.errorCode).toBeNull();
    expect(retried.stages.find((s) => s.stage === 'ingest')?.status).toBe('succeeded');
    expect(retried.stages.find((s) => s.stage === 'train')?.status).toBe('pending');
  });

  it('cancels a queued run at once and flags a running one', async () => {
    const queued = (await createRun(db.registry, { experimentId })).run;
    expect((await requestCancel(db.registry, queued.id)).status).toBe('cancelled');
    await expect(requestCancel(db.registry, queued.id)).rejects.toMatchObject({
      code: 'illegal_run_transition',
    });

    const running = (await createRun(db.registry, { experimentId })).run;
    await claimStages(db.registry, [{ runId: running.id, stage: 'ingest' }]);
    expect(await isCancelRequested(db.registry, running.id)).toBe(false);
    expect((await requestCancel(db.registry, running.id)).status).toBe('running');
    expect(await isCancelRequested(db.registry, running.id)).toBe(true);
  });

  it('appends metrics in batches without duplicating a retried step, and rejects NaN', async () => {
    const { run } = await createRun(db.registry, { experimentId });
    const points = [0, 1, 2].map((step) => ({ name: 'loss', step, value: 1 / (step + 1) }));
    expect(await appendRunMetrics(db.registry, run.id, points)).toBe(3);
    expect(await appendRunMetrics(db.registry, run.id, points.slice(1))).toBe(0);
    expect((await listRunMetrics(db.registry, run.id)).map((m) => m.step)).toEqual([0, 1, 2]);
    await expect(
      appendRunMetrics(db.registry, run.id, [{ name: 'loss', step: 3, value: Number.NaN }]),
    ).rejects.toMatchObject({
      code: 'metric_not_finite',
    });
  });
});
