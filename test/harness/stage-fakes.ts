/**
 * Stand-ins for the stages an orchestration test does not exercise. Each writes the registry
 * rows its real stage would (a model version, an evaluation) and returns an output its stage's
 * schema accepts, so the stages after it read real ids.
 */
import type { DeployOutput, IngestOutput, TrainOutput } from '@lathe/contract';
import { LatheError } from '@lathe/core';
import type { StageContext, StageHandler } from '@lathe/queues';
import { getDatasetVersion, recordEvaluation, registerModelVersion, type GateVerdict } from '@lathe/registry';

/** Ingest that uses an existing dataset version. */
export function ingestExisting(datasetVersionId: () => string): StageHandler<'ingest'> {
  return async (ctx): Promise<IngestOutput> => {
    const version = await getDatasetVersion(ctx.registry, datasetVersionId());
    return { datasetVersionId: version.id, sha256: version.sha256, rows: version.rows };
  };
}

/** Registers a model version for the run (idempotent per run) without training anything. */
export async function registerUntrainedModel(ctx: StageContext, epochs = 0): Promise<TrainOutput> {
  const sha256 = ctx.runId.replaceAll('-', '').padEnd(64, '0');
  const { modelVersion } = await registerModelVersion(ctx.registry, {
    modelName: ctx.experiment.name,
    runId: ctx.runId,
    useCase: ctx.experiment.useCase,
    modelFamily: ctx.experiment.modelFamily,
    artifactUri: `memory://${ctx.runId}`,
    sha256,
    sizeBytes: 1,
    signature: {},
  });
  return {
    modelVersionId: modelVersion.id,
    version: modelVersion.version,
    sha256,
    epochs,
    stoppedEarly: false,
    resumedFromEpoch: null,
    backend: 'none',
  };
}

export const untrainedModel: StageHandler<'train'> = (ctx) => registerUntrainedModel(ctx);

/** Evaluate that records the given verdict for the trained model version, scoring nothing. */
export function recordedVerdict(
  verdictOf: (ctx: StageContext) => GateVerdict = () => 'passed',
): StageHandler<'evaluate'> {
  return async (ctx) => {
    const trained = await ctx.stageOutput('train');
    if (!trained || !ctx.run.datasetVersionId)
      throw new LatheError('missing_stage_output', `run ${ctx.runId}: no train output or dataset version`, {
        permanent: true,
      });
    const evaluation = await recordEvaluation(ctx.registry, {
      modelVersionId: trained.modelVersionId,
      datasetVersionId: ctx.run.datasetVersionId,
      split: 'test',
      runId: ctx.runId,
      metrics: {},
      curves: {},
      slices: [],
      verdict: verdictOf(ctx),
      reasons: [],
      baselineModelVersionId: null,
    });
    await ctx.reportProgress(1);
    return {
      evaluationId: evaluation.id,
      modelVersionId: trained.modelVersionId,
      verdict: evaluation.verdict,
      reasons: [],
    };
  };
}

/** Deploy that moves no traffic. */
export const deployNothing: StageHandler<'deploy'> = async (ctx): Promise<DeployOutput> => {
  const evaluated = await ctx.stageOutput('evaluate');
  const trained = await ctx.stageOutput('train');
  const modelVersionId = evaluated?.modelVersionId ?? trained?.modelVersionId;
  if (!modelVersionId)
    throw new LatheError('missing_stage_output', `run ${ctx.runId}: no model version to deploy`, {
      permanent: true,
    });
  await ctx.reportProgress(1);
  return {
    strategy: 'none',
    modelVersionId,
    deploymentId: null,
    abTestId: null,
    reason: 'this test deploys nothing',
    plan: null,
  };
};
