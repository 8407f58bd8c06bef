import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchedule, deleteSchedule, updateSchedule } from '@lathe/registry';
import { scheduleJobSchedulerId, startWorkers, type WorkerGroup } from '@lathe/queues';
import { createPipelineFixture, waitFor, waitForRun, type PipelineFixture } from './support.ts';
import { testHandlers } from './fixtures/test-handlers.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;

beforeAll(async () => {
  fx = await createPipelineFixture('sched');
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: testHandlers,
    schedules: true,
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
});

const schedulerIds = async () =>
  (await fx.pipeline.queues.schedules.getJobSchedulers(0, -1)).map((s) => s.key);

describe('scheduled retraining', () => {
  it('a schedule every second starts runs; a tick during an active run is skipped and recorded; disabling stops it', async () => {
    // Train takes ~1.5 s, so ticks arrive while the previous scheduled run is active.
    const experiment = await fx.experiment({ epochs: 15, epochMs: 100 });
    const schedule = await createSchedule(fx.db.registry, {
      experimentId: experiment.id,
      cron: '* * * * * *',
    });
    expect(await fx.pipeline.syncSchedule(schedule.id)).toBe('upserted');
    expect(await schedulerIds()).toEqual([scheduleJobSchedulerId(schedule.id)]);

    const row = await waitFor('two scheduled runs and a skipped tick', async () => {
      const current = await fx.db.registry.schedule.findUniqueOrThrow({ where: { id: schedule.id } });
      const runs = await fx.db.registry.run.count({ where: { scheduleId: schedule.id } });
      return runs >= 2 && current.skippedTicks >= 1 ? current : null;
    });
    const runs = await fx.db.registry.run.findMany({
      where: { scheduleId: schedule.id },
      orderBy: { queuedAt: 'asc' },
    });
    expect(runs.every((r) => r.trigger === 'schedule' && r.experimentId === experiment.id)).toBe(true);
    expect(runs.map((r) => r.id)).toContain(row.lastRunId);
    // Overlap policy: never two active scheduled runs of one schedule; each started after the last ended.
    for (let i = 1; i < runs.length; i++) {
      const previous = await waitForRun(fx.pipeline, runs[i - 1]!.id, ['succeeded', 'failed', 'cancelled']);
      expect(runs[i]!.queuedAt.getTime()).toBeGreaterThanOrEqual(previous.finishedAt!.getTime());
    }

    await updateSchedule(fx.db.registry, schedule.id, { enabled: false });
    expect(await fx.pipeline.syncSchedule(schedule.id)).toBe('removed');
    expect(await schedulerIds()).toEqual([]);
    // A tick already queued when it was disabled is ignored; give stragglers time to land.
    await sleep(1_500);
    const settled = await fx.db.registry.run.count({ where: { scheduleId: schedule.id } });
    await sleep(2_000);
    expect(await fx.db.registry.run.count({ where: { scheduleId: schedule.id } })).toBe(settled);
    const last = await fx.db.registry.run.findMany({
      where: { scheduleId: schedule.id, status: { in: ['queued', 'running'] } },
    });
    for (const run of last) await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed', 'cancelled']);
  });

  it('reconcileSchedules recreates schedulers lost with Redis and removes those of deleted rows', async () => {
    const experiment = await fx.experiment();
    const kept = await createSchedule(fx.db.registry, {
      experimentId: experiment.id,
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
    });
    const dropped = await createSchedule(fx.db.registry, { experimentId: experiment.id, cron: '0 4 * * *' });
    const off = await createSchedule(fx.db.registry, {
      experimentId: experiment.id,
      cron: '0 5 * * *',
      enabled: false,
    });
    await fx.pipeline.reconcileSchedules();
    expect((await schedulerIds()).sort()).toEqual(
      [scheduleJobSchedulerId(kept.id), scheduleJobSchedulerId(dropped.id)].sort(),
    );

    // The row is deleted behind the pipeline's back (no syncSchedule): start-up reconciliation cleans up.
    await deleteSchedule(fx.db.registry, dropped.id);
    expect(await fx.pipeline.reconcileSchedules()).toEqual({ upserted: 1, removed: 1 });
    expect(await schedulerIds()).toEqual([scheduleJobSchedulerId(kept.id)]);
    const [scheduler] = await fx.pipeline.queues.schedules.getJobSchedulers(0, -1);
    expect(scheduler).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Paris' });
    expect(await schedulerIds()).not.toContain(scheduleJobSchedulerId(off.id));

    await fx.redis.flush();
    expect(await schedulerIds()).toEqual([]);
    await fx.pipeline.reconcileSchedules();
    expect(await schedulerIds()).toEqual([scheduleJobSchedulerId(kept.id)]);
  });

  it('refuses a cron the scheduler cannot parse with invalid_cron', async () => {
    const experiment = await fx.experiment();
    const schedule = await createSchedule(fx.db.registry, {
      experimentId: experiment.id,
      cron: '61 * * * *',
    });
    await expect(fx.pipeline.syncSchedule(schedule.id)).rejects.toMatchObject({ code: 'invalid_cron' });
  });
});
