/**
 * Model versions and aliases (MLflow's model registry, in Postgres).
 * - Version numbers count up per model name with no gaps or duplicates, even when several
 *   runs register at once: numbering happens under a transaction-scoped advisory lock.
 * - A run registers at most one model version (a unique `runId`): a retried train stage gets
 *   the version it registered before.
 * - Aliases move atomically, optionally only from an expected revision (the API's If-Match),
 *   and every move is recorded so an alias can be rolled back.
 */
import { ConflictError, LatheError, NotFoundError } from '@lathe/core';
import type { ModelAlias, ModelVersion, UseCase } from '../generated/prisma/client.ts';
import { type Db, type Json, inTransaction, isUniqueViolation } from './db.ts';

export interface NewModelVersion {
  modelName: string;
  runId?: string;
  useCase: UseCase;
  modelFamily: string;
  artifactUri: string;
  sha256: string;
  /** sha256 of the learned tensors alone (@lathe/ml weightsDigest). */
  weightsSha256?: string;
  sizeBytes: number | bigint;
  signature: Json;
  metrics?: Json;
}

export async function registerModelVersion(
  db: Db,
  input: NewModelVersion,
): Promise<{ modelVersion: ModelVersion; created: boolean }> {
  if (input.runId) {
    const existing = await db.modelVersion.findUnique({ where: { runId: input.runId } });
    if (existing) return { modelVersion: existing, created: false };
  }
  try {
    const modelVersion = await inTransaction(db, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'model-version:' + input.modelName}))`;
      const latest = await tx.modelVersion.findFirst({
        where: { modelName: input.modelName },
        orderBy: { version: 'desc' },
        select: { version: true },
      });
      return tx.modelVersion.create({
        data: {
          ...input,
          runId: input.runId ?? null,
          sizeBytes: BigInt(input.sizeBytes),
          metrics: input.metrics ?? {},
          version: (latest?.version ?? 0) + 1,
        },
      });
    });
    return { modelVersion, created: true };
  } catch (error) {
    if (input.runId && isUniqueViolation(error)) {
      const modelVersion = await db.modelVersion.findUniqueOrThrow({ where: { runId: input.runId } });
      return { modelVersion, created: false };
    }
    throw error;
  }
}

export async function getModelVersion(db: Db, id: string): Promise<ModelVersion> {
  const modelVersion = await db.modelVersion.findUnique({ where: { id } });
  if (!modelVersion) throw new NotFoundError('model version', id);
  return modelVersion;
}

/** The model version a run registered, or null while its train stage has not. */
export async function findModelVersionOfRun(db: Db, runId: string): Promise<ModelVersion | null> {
  return db.modelVersion.findUnique({ where: { runId } });
}

export async function getAlias(
  db: Db,
  modelName: string,
  alias: string,
): Promise<(ModelAlias & { modelVersion: ModelVersion }) | null> {
  return db.modelAlias.findUnique({
    where: { modelName_alias: { modelName, alias } },
    include: { modelVersion: true },
  });
}

export interface MoveAlias {
  modelName: string;
  alias: string;
  modelVersionId: string;
  /** The revision the caller last saw (If-Match); a different current revision is refused. */
  expectedRevision?: number;
  reason?: string;
  actor?: string;
}

export async function moveAlias(db: Db, input: MoveAlias): Promise<ModelAlias> {
  return inTransaction(db, async (tx) => {
    const target = await tx.modelVersion.findUnique({ where: { id: input.modelVersionId } });
    if (!target) throw new NotFoundError('model version', input.modelVersionId);
    if (target.modelName !== input.modelName) {
      throw new LatheError(
        'alias_model_mismatch',
        `model version ${input.modelVersionId} belongs to model ${target.modelName}, not ${input.modelName}`,
        { httpStatus: 422 },
      );
    }
    // Lock the alias row (if any) so concurrent moves serialise instead of losing one.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alias:${input.modelName}:${input.alias}`}))`;
    const current = await tx.modelAlias.findUnique({
      where: { modelName_alias: { modelName: input.modelName, alias: input.alias } },
    });
    const currentRevision = current?.revision ?? 0;
    if (input.expectedRevision !== undefined && input.expectedRevision !== currentRevision) {
      throw new ConflictError(
        'revision_mismatch',
        `alias ${input.modelName}@${input.alias} is at revision ${currentRevision}, not ${input.expectedRevision}; reload it and try again`,
        { currentRevision },
      );
    }
    const moved = current
      ? await tx.modelAlias.update({
          where: { modelName_alias: { modelName: input.modelName, alias: input.alias } },
          data: { modelVersionId: input.modelVersionId, revision: { increment: 1 } },
        })
      : await tx.modelAlias.create({
          data: { modelName: input.modelName, alias: input.alias, modelVersionId: input.modelVersionId },
        });
    await tx.modelAliasEvent.create({
      data: {
        modelName: input.modelName,
        alias: input.alias,
        fromModelVersionId: current?.modelVersionId ?? null,
        toModelVersionId: input.modelVersionId,
        reason: input.reason ?? '',
        actor: input.actor ?? null,
      },
    });
    return moved;
  });
}

/** Moves an alias back to the version it pointed at before its last move. */
export async function rollbackAlias(
  db: Db,
  input: { modelName: string; alias: string; reason?: string; actor?: string },
): Promise<ModelAlias> {
  const last = await db.modelAliasEvent.findFirst({
    where: { modelName: input.modelName, alias: input.alias },
    orderBy: { id: 'desc' },
  });
  if (!last) throw new NotFoundError('alias', `${input.modelName}@${input.alias}`);
  if (!last.fromModelVersionId) {
    throw new LatheError(
      'nothing_to_roll_back',
      `alias ${input.modelName}@${input.alias} has no earlier version`,
      {
        httpStatus: 409,
      },
    );
  }
  return moveAlias(db, {
    modelName: input.modelName,
    alias: input.alias,
    modelVersionId: last.fromModelVersionId,
    reason: input.reason ?? `rollback from ${last.toModelVersionId}`,
    ...(input.actor ? { actor: input.actor } : {}),
  });
}
