/**
 * The ledger against a real Postgres: grouped claims and finishes walk a run through its
 * stages, a finished stage is not claimed again, and a changed experiment is never served
 * from the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExperiment,
  createRun,
  ensureDataset,
  getRunWithStages,
  registerDatasetVersion,
  STAGES,
  type Experiment,
} from '@lathe/registry';
import { createTestDatabase, type TestDatabase } from '../../../test/harness/index.ts';
import { createStageLedger } from './stage-ledger.ts';

let db: TestDatabase;
let experiment: Experiment;
let datasetVersionId: string;

beforeAll(async () => {
  db = await createTestDatabase('ledger');
  const dataset = await ensureDataset(db.registry, { name: 'ledger', useCase: 'tabular' });
  const { version } = await registerDatasetVersion(db.registry, {
    datasetId: dataset.id,
    sha256: 'c'.repeat(64),
    uri: 'memory://ledger',
    format: 'csv',
    rows: 1,
    sizeBytes: 1,
    schema: {},
    source: {},
  });
  datasetVersionId = version.id;
  experiment = await createExperiment(db.registry, {
    name: 'ledger',
    useCase: 'tabular',
    modelFamily: 'mlp',
    hyperparameters: { lr: 0.1 },
    datasetId: dataset.id,
    gate: [],
    rolloutPolicy: {},
  });
});
afterAll(() => db.drop());

describe('stage ledger', () => {
  it('claims and finishes the stages of concurrent runs together, and ends each run after its last stage', async () => {
    const ledger = createStageLedger(db.registry);
    const runs = await Promise.all(
      [1, 2, 3].map(() => createRun(db.registry, { experimentId: experiment.id }).then((r) => r.run)),
    );
    for (const stage of STAGES) {
      const claims = await Promise.all(runs.map((run) => ledger.claim(run.id, stage)));
      for (const claim of claims) {
        expect(claim).toMatchObject({ claimed: true, stageStatus: 'running', stageAttempts: 1 });
        expect(claim!.run).toMatchObject({ status: 'running', stage });
      }
      if (stage === 'train') expect(claims[0]!.run.datasetVersionId).toBe(datasetVersionId);
      if (stage === 'evaluate')
        expect(claims[0]!.doneOutputs).toEqual({ ingest: { datasetVersionId }, train: { trained: true } });
      const output = stage === 'ingest' ? { datasetVersionId } : { [`${stage}ed`]: true };
      await Promise.all(
        runs.map((run) =>
          ledger.finish({
            runId: run.id,
            stage,
            output,
            ...(stage === 'ingest' ? { datasetVersionId } : {}),
          }),
        ),
      );
    }
    for (const run of runs) {
      const done = await getRunWithStages(db.registry, run.id);
      expect(done).toMatchObject({ status: 'succeeded', progress: 1, stage: 'deploy', datasetVersionId });
      expect(done.finishedAt).not.toBeNull();
      expect(done.stages.map((s) => [s.stage, s.status, s.attempts])).toEqual(
        STAGES.map((s) => [s, 'succeeded', 1]),
      );
    }
  });

  it('does not claim a stage that already succeeded, a cancel-requested run, or a run that does not exist', async () => {
    const ledger = createStageLedger(db.registry);
    const { run } = await createRun(db.registry, { experimentId: experiment.id });
    await ledger.claim(run.id, 'ingest');
    await ledger.finish({ runId: run.id, stage: 'ingest', output: { datasetVersionId }, datasetVersionId });
    const again = await ledger.claim(run.id, 'ingest');
    expect(again).toMatchObject({ claimed: false, stageStatus: 'succeeded', stageAttempts: 1 });

    await db.registry.run.update({ where: { id: run.id }, data: { cancelRequestedAt: new Date() } });
    const cancelled = await ledger.claim(run.id, 'train');
    expect(cancelled).toMatchObject({ claimed: false, stageStatus: 'pending' });
    expect(cancelled!.run.cancelRequestedAt).not.toBeNull();

    expect(await ledger.claim('00000000-0000-4000-8000-000000000000', 'ingest')).toBeNull();
    await expect(
      ledger.finish({ runId: '00000000-0000-4000-8000-000000000000', stage: 'ingest', output: {} }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('serves the experiment from its cache until the experiment changes', async () => {
    const ledger = createStageLedger(db.registry);
    const first = (await createRun(db.registry, { experimentId: experiment.id })).run;
    const claim = (await ledger.claim(first.id, 'ingest'))!;
    expect((await ledger.experiment(claim)).hyperparameters).toEqual({ lr: 0.1 });
    // A direct update (no revision bump) still changes updatedAt, which the claim returns.
    await db.registry.experiment.update({
      where: { id: experiment.id },
      data: { hyperparameters: { lr: 0.2 } },
    });
    const second = (await createRun(db.registry, { experimentId: experiment.id })).run;
    const fresh = (await ledger.claim(second.id, 'ingest'))!;
    expect((await ledger.experiment(fresh)).hyperparameters).toEqual({ lr: 0.2 });
  });
});
