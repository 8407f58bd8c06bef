/**
 * The deploy stage. Until the gate and the A/B rollout land, the placeholder records that
 * nothing was deployed and why. The real handler replaces `deployHandler` in main.ts.
 */
import type { StageHandler } from '@lathe/queues';

export const deployHandler: StageHandler = async (ctx) => {
  const evaluated = await ctx.stageOutput('evaluate');
  await ctx.reportProgress(1);
  return { placeholder: true, deployed: false, reason: 'no deploy logic yet', evaluated: (evaluated?.evaluated as string | null) ?? null };
};
