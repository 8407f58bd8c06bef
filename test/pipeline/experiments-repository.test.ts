import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExperiment,
  createSchedule,
  deleteSchedule,
  ensureDataset,
  getExperiment,
  listExperiments,
  listSchedules,
  updateExperiment,
  updateSchedule,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../harness/index.ts';

let db: TestDatabase;
let datasetId: string;

beforeAll(async () => {
  db = await createTestDatabase('exprepo');
  datasetId = (await ensureDataset(db.registry, { name: 'clicks', useCase: 'recommendation' })).id;
});
afterAll(() => db.drop());

const base = () => ({
  useCase: 'recommendation' as const,
  modelFamily: 'mf',
  hyperparameters: { epochs: 2 },
  datasetId,
  gate: [],
  rolloutPolicy: {},
});

describe('experiments repository', () => {
  it('creates, reads and refuses a duplicate name with experiment_name_taken', async () => {
    const created = await createExperiment(db.registry, { ...base(), name: 'e1' });
    expect((await getExperiment(db.registry, created.id)).revision).toBe(1);
    await expect(createExperiment(db.registry, { ...base(), name: 'e1' })).rejects.toMatchObject({
      code: 'experiment_name_taken',
    });
  });

  it('updates at the expected revision and refuses a stale one with revision_mismatch', async () => {
    const created = await createExperiment(db.registry, { ...base(), name: 'e2' });
    const updated = await updateExperiment(db.registry, created.id, { hyperparameters: { epochs: 3 } }, 1);
    expect(updated.revision).toBe(2);
    expect(updated.hyperparameters).toEqual({ epochs: 3 });
    await expect(updateExperiment(db.registry, created.id, { description: 'x' }, 1)).rejects.toMatchObject({
      code: 'revision_mismatch',
      httpStatus: 409,
    });
    await expect(updateExperiment(db.registry, 'missing', {}, 1)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('pages newest first with a cursor and filters by use case', async () => {
    for (let i = 0; i < 5; i++)
      await createExperiment(db.registry, { ...base(), name: `page-${i}`, useCase: 'image' });
    const first = await listExperiments(db.registry, { limit: 2, useCase: 'image' });
    expect(first.items.map((e) => e.name)).toEqual(['page-4', 'page-3']);
    const second = await listExperiments(db.registry, {
      limit: 2,
      useCase: 'image',
      cursor: first.nextCursor,
    });
    expect(second.items.map((e) => e.name)).toEqual(['page-2', 'page-1']);
    const third = await listExperiments(db.registry, {
      limit: 2,
      useCase: 'image',
      cursor: second.nextCursor,
    });
    expect(third.items.map((e) => e.name)).toEqual(['page-0']);
    expect(third.nextCursor).toBeNull();
  });
});

describe('schedules repository', () => {
  it('creates, updates, lists and deletes; refuses a bad cron or time zone', async () => {
    const experiment = await createExperiment(db.registry, { ...base(), name: 'sched' });
    const schedule = await createSchedule(db.registry, {
      experimentId: experiment.id,
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
    });
    expect(schedule.enabled).toBe(true);
    expect((await updateSchedule(db.registry, schedule.id, { enabled: false })).enabled).toBe(false);
    expect(await listSchedules(db.registry, { experimentId: experiment.id })).toHaveLength(1);
    await expect(
      createSchedule(db.registry, { experimentId: experiment.id, cron: '* *' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      createSchedule(db.registry, {
        experimentId: experiment.id,
        cron: '* * * * *',
        timezone: 'Mars/Olympus',
      }),
    ).rejects.toThrow(/IANA/);
    await deleteSchedule(db.registry, schedule.id);
    expect(await listSchedules(db.registry, { experimentId: experiment.id })).toHaveLength(0);
  });
});
