/**
 * Stage outputs are checked against their stage's schema (@lathe/contract stage-outputs.ts):
 * a handler that returns a malformed output fails its stage for good, naming the field; a
 * stage may read only the earlier outputs its definition declares; a cached output recorded
 * under another shape is not reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainOutput } from '@lathe/contract';
import { STAGE_DEFINITIONS, startWorkers, type StageHandler, type WorkerGroup } from '@lathe/queues';
import { getRunWithStages } from '@lathe/registry';
import { deployNothing, ingestExisting, recordedVerdict, registerUntrainedModel } from '../harness/index.ts';
import { createPipelineFixture, waitForRun, type PipelineFixture } from './support.ts';

let fx: PipelineFixture;
let workers: WorkerGroup;
const trainCalls = new Map<string, number>();

// Steered by the experiment's hyperparameters: `malformed` drops the model version id,
// `readsDeploy` asks for an output its definition does not declare.
const train: StageHandler<'train'> = async (ctx) => {
  trainCalls.set(ctx.runId, (trainCalls.get(ctx.runId) ?? 0) + 1);
  const output = await registerUntrainedModel(ctx);
  if (ctx.hyperparameters.readsDeploy) await ctx.stageOutput('deploy');
  if (ctx.hyperparameters.malformed) {
    const { modelVersionId: _dropped, ...rest } = output;
    // Deliberately not a TrainOutput: the runner, not the compiler, must catch it.
    return rest as unknown as TrainOutput;
  }
  return output;
};

beforeAll(async () => {
  fx = await createPipelineFixture('stage-outputs');
  workers = await startWorkers({
    pipeline: fx.pipeline,
    stages: ['ingest', 'train', 'evaluate', 'deploy'],
    handlers: {
      ingest: ingestExisting(() => fx.datasetVersionId),
      train,
      evaluate: recordedVerdict(),
      deploy: deployNothing,
    },
  });
});
afterAll(async () => {
  await workers.close();
  await fx.close();
});

async function runOf(hyperparameters: Record<string, unknown>, cacheEnabled = false) {
  const experiment = await fx.experiment(hyperparameters, { cacheEnabled });
  const run = await fx.pipeline.startRun({ experimentId: experiment.id, trigger: 'api' });
  const done = await waitForRun(fx.pipeline, run.id, ['succeeded', 'failed'], 60_000);
  return { done, stages: (await getRunWithStages(fx.db.registry, run.id)).stages };
}

describe('stage outputs', () => {
  it('a malformed output fails its stage at once, naming the field, and nothing after it runs', async () => {
    const { done, stages } = await runOf({ malformed: true });
    expect(done).toMatchObject({ status: 'failed', errorStage: 'train', errorCode: 'invalid_stage_output' });
    expect(done.errorMessage).toContain('"modelVersionId"');
    const trained = stages.find((s) => s.stage === 'train')!;
    // Permanent: the catalog allows 3 attempts, the first failure is final.
    expect(trained).toMatchObject({ status: 'failed', attempts: 1, output: null });
    expect(stages.find((s) => s.stage === 'evaluate')!.status).toBe('pending');
  });

  it('a stage may read only the outputs its definition declares', async () => {
    expect(STAGE_DEFINITIONS.train.reads).not.toContain('deploy');
    const { done } = await runOf({ readsDeploy: true });
    expect(done).toMatchObject({ status: 'failed', errorStage: 'train', errorCode: 'undeclared_stage_read' });
  });

  it('the next stages read a well-formed output typed', async () => {
    const { done, stages } = await runOf({});
    expect(done.status).toBe('succeeded');
    const trained = STAGE_DEFINITIONS.train.output.parse(stages.find((s) => s.stage === 'train')!.output);
    const evaluated = STAGE_DEFINITIONS.evaluate.output.parse(
      stages.find((s) => s.stage === 'evaluate')!.output,
    );
    const deployed = STAGE_DEFINITIONS.deploy.output.parse(stages.find((s) => s.stage === 'deploy')!.output);
    expect(evaluated.modelVersionId).toBe(trained.modelVersionId);
    expect(deployed).toMatchObject({ strategy: 'none', modelVersionId: trained.modelVersionId });
  });

  it('a cached output that no longer matches its schema is not reused', async () => {
    const hyperparameters = { cacheProbe: 'schema-change' };
    const first = await runOf(hyperparameters, true);
    expect(first.done.status).toBe('succeeded');
    const firstTrain = first.stages.find((s) => s.stage === 'train')!;
    // As an output recorded by an older version of the stage would look.
    await fx.db.registry.stageExecution.update({
      where: { id: firstTrain.id },
      data: { output: { trainedOn: fx.datasetVersionId } },
    });

    const second = await runOf(hyperparameters, true);
    expect(second.done.status).toBe('succeeded');
    const secondTrain = second.stages.find((s) => s.stage === 'train')!;
    expect(secondTrain.cacheHit).toBe(false);
    expect(trainCalls.get(second.done.id)).toBe(1);

    // With a well-formed cached output, the same inputs are a cache hit.
    const third = await runOf(hyperparameters, true);
    const thirdTrain = third.stages.find((s) => s.stage === 'train')!;
    expect(thirdTrain.cacheHit).toBe(true);
    expect(trainCalls.get(third.done.id)).toBeUndefined();
    expect(thirdTrain.output).toEqual(secondTrain.output);
  });
});
