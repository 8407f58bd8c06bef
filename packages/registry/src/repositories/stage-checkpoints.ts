/**
 * Checkpoints of long stages: where the latest one is (an artifact) and at which epoch, so a
 * job restarted after a crash resumes instead of starting over.
 */
import type { Stage } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export interface StageCheckpoint {
  sha256: string;
  uri: string;
  epoch: number;
  savedAt: string;
}

export async function saveStageCheckpoint(
  db: Db,
  runId: string,
  stage: Stage,
  checkpoint: Omit<StageCheckpoint, 'savedAt'>,
): Promise<void> {
  await db.stageExecution.update({
    where: { runId_stage: { runId, stage } },
    data: { checkpoint: { ...checkpoint, savedAt: new Date().toISOString() } },
  });
}

export async function getStageCheckpoint(
  db: Db,
  runId: string,
  stage: Stage,
): Promise<StageCheckpoint | null> {
  const row = await db.stageExecution.findUnique({
    where: { runId_stage: { runId, stage } },
    select: { checkpoint: true },
  });
  return (row?.checkpoint as StageCheckpoint | null | undefined) ?? null;
}
