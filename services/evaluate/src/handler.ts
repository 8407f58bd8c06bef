/**
 * The evaluate stage. Until @lathe/ml's evaluation and the gate land, the placeholder records
 * what it would evaluate (the train stage's output, read from the registry) and no verdict.
 * The real handler replaces `evaluateHandler` in main.ts.
 */
import { LatheError } from '@lathe/core';
import type { StageHandler } from '@lathe/queues';

export const evaluateHandler: StageHandler = async (ctx) => {
  const trained = await ctx.stageOutput('train');
  if (!trained) {
    throw new LatheError('missing_stage_output', `run ${ctx.runId}: evaluate found no recorded train output`, { permanent: true });
  }
  await ctx.reportProgress(1);
  return { placeholder: true, evaluated: (trained.modelVersionId as string | undefined) ?? null, verdict: null };
};
