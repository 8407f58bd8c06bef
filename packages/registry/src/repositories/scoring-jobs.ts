/**
 * Batch scoring jobs: created by the API (queued), advanced by the scoring worker (running with
 * progress, then succeeded with its output artifact or failed with a code). A redelivered job
 * that finds its job succeeded does nothing (`claimScoringJob` returns null).
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { ScoringJob } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export type ScoringFormat = 'csv' | 'jsonl';

export interface NewScoringJob {
  modelVersionId: string;
  /** evaluation: an Evaluation of the rows instead of a scores artifact (default scores). */
  kind?: 'scores' | 'evaluation';
  /** Evaluations: which split of the dataset version (train, validation, test or all). */
  split?: string;
  format: ScoringFormat;
  keyColumns: string[];
  /** Exactly one of: the dataset version to score, or an uploaded file in the artifact store. */
  datasetVersionId?: string;
  input?: { sha256: string; format: ScoringFormat; name: string };
}

export async function createScoringJob(db: Db, input: NewScoringJob): Promise<ScoringJob> {
  if ((input.datasetVersionId === undefined) === (input.input === undefined))
    throw new ConflictError(
      'invalid_scoring_input',
      'a scoring job scores a dataset version or an uploaded file',
    );
  return db.scoringJob.create({
    data: {
      modelVersionId: input.modelVersionId,
      format: input.format,
      keyColumns: input.keyColumns,
      ...(input.kind !== undefined ? { kind: input.kind } : {}),
      ...(input.split !== undefined ? { split: input.split } : {}),
      ...(input.datasetVersionId !== undefined ? { datasetVersionId: input.datasetVersionId } : {}),
      ...(input.input !== undefined
        ? { inputSha256: input.input.sha256, inputFormat: input.input.format, inputName: input.input.name }
        : {}),
    },
  });
}

export async function getScoringJob(db: Db, id: string): Promise<ScoringJob> {
  const job = await db.scoringJob.findUnique({ where: { id } });
  if (!job) throw new NotFoundError('scoring job', id);
  return job;
}

/** Marks the job running (from queued, or from running/failed on a retry); null when it already succeeded. */
export async function claimScoringJob(
  db: Db,
  id: string,
  rowsTotal: number | null,
): Promise<ScoringJob | null> {
  const { count } = await db.scoringJob.updateMany({
    where: { id, status: { not: 'succeeded' } },
    data: { status: 'running', rowsTotal, rowsScored: 0, errorCode: null, errorMessage: null },
  });
  return count === 0 ? null : getScoringJob(db, id);
}

export async function reportScoringProgress(db: Db, id: string, rowsScored: number): Promise<void> {
  await db.scoringJob.update({ where: { id }, data: { rowsScored } });
}

export async function completeScoringJob(
  db: Db,
  id: string,
  output: { sha256: string; sizeBytes: number; rows: number },
): Promise<ScoringJob> {
  return db.scoringJob.update({
    where: { id },
    data: {
      status: 'succeeded',
      rowsScored: output.rows,
      rowsTotal: output.rows,
      outputSha256: output.sha256,
      outputSizeBytes: BigInt(output.sizeBytes),
      finishedAt: new Date(),
    },
  });
}

/** An evaluation job's end: the Evaluation it recorded. */
export async function completeEvaluationJob(
  db: Db,
  id: string,
  output: { evaluationId: string; rows: number },
): Promise<ScoringJob> {
  return db.scoringJob.update({
    where: { id },
    data: {
      status: 'succeeded',
      rowsScored: output.rows,
      rowsTotal: output.rows,
      evaluationId: output.evaluationId,
      finishedAt: new Date(),
    },
  });
}

export async function failScoringJob(
  db: Db,
  id: string,
  error: { code: string; message: string },
): Promise<void> {
  await db.scoringJob.update({
    where: { id },
    data: { status: 'failed', errorCode: error.code, errorMessage: error.message, finishedAt: new Date() },
  });
}
