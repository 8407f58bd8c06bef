/**
 * Experiments: what to train and how to judge it. Updates are optimistic: the caller passes
 * the revision it last saw (the API's If-Match / ETag) and a different current revision is
 * refused with `revision_mismatch`, so two concurrent edits cannot silently overwrite each other.
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { Experiment, UseCase } from '../generated/prisma/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { type Db, type Json, isUniqueViolation } from './db.ts';

export interface NewExperiment {
  name: string;
  description?: string;
  useCase: UseCase;
  modelFamily: string;
  hyperparameters: Json;
  datasetId: string;
  /** Where ingest reads new data; null/absent: reuse the dataset's latest version. */
  source?: Json | null;
  gate: Json;
  rolloutPolicy: Json;
  cacheEnabled?: boolean;
}

export type ExperimentPatch = Partial<Omit<NewExperiment, 'useCase'>> & {
  useCase?: UseCase;
  /** true archives (sets archivedAt), false restores. */
  archived?: boolean;
};

function nameTaken(name: string): ConflictError {
  return new ConflictError(
    'experiment_name_taken',
    `an experiment named ${JSON.stringify(name)} already exists; choose another name`,
    {
      name,
    },
  );
}

export async function createExperiment(db: Db, input: NewExperiment): Promise<Experiment> {
  const dataset = await db.dataset.findUnique({ where: { id: input.datasetId }, select: { id: true } });
  if (!dataset) throw new NotFoundError('dataset', input.datasetId);
  try {
    return await db.experiment.create({
      data: {
        name: input.name,
        description: input.description ?? '',
        useCase: input.useCase,
        modelFamily: input.modelFamily,
        hyperparameters: input.hyperparameters,
        datasetId: input.datasetId,
        source: input.source ?? Prisma.DbNull,
        gate: input.gate,
        rolloutPolicy: input.rolloutPolicy,
        cacheEnabled: input.cacheEnabled ?? true,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export async function getExperiment(db: Db, id: string): Promise<Experiment> {
  const experiment = await db.experiment.findUnique({ where: { id } });
  if (!experiment) throw new NotFoundError('experiment', id);
  return experiment;
}

/**
 * Applies `patch` if the experiment is still at `expectedRevision` (omit it to update
 * unconditionally) and increments the revision.
 */
export async function updateExperiment(
  db: Db,
  id: string,
  patch: ExperimentPatch,
  expectedRevision?: number,
): Promise<Experiment> {
  if (patch.datasetId !== undefined) {
    const dataset = await db.dataset.findUnique({ where: { id: patch.datasetId }, select: { id: true } });
    if (!dataset) throw new NotFoundError('dataset', patch.datasetId);
  }
  const { archived, source, ...rest } = patch;
  const data: Prisma.ExperimentUpdateManyMutationInput & { datasetId?: string } = {
    ...rest,
    revision: { increment: 1 },
  };
  if (source !== undefined) data.source = source ?? Prisma.DbNull;
  if (archived !== undefined) data.archivedAt = archived ? new Date() : null;
  let count: number;
  try {
    ({ count } = await db.experiment.updateMany({
      where: { id, ...(expectedRevision !== undefined ? { revision: expectedRevision } : {}) },
      data,
    }));
  } catch (error) {
    if (isUniqueViolation(error) && patch.name !== undefined) throw nameTaken(patch.name);
    throw error;
  }
  if (count === 1) return getExperiment(db, id);
  const current = await getExperiment(db, id);
  throw new ConflictError(
    'revision_mismatch',
    `experiment ${id} is at revision ${current.revision}, not ${String(expectedRevision)}; reload it and try again`,
    { currentRevision: current.revision },
  );
}

export interface ExperimentPage {
  items: Experiment[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first; `cursor` is the id of the last item of the previous page. */
export async function listExperiments(
  db: Db,
  options: { cursor?: string | null; limit?: number; useCase?: UseCase; includeArchived?: boolean } = {},
): Promise<ExperimentPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const items = await db.experiment.findMany({
    where: {
      ...(options.useCase ? { useCase: options.useCase } : {}),
      ...(options.includeArchived ? {} : { archivedAt: null }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const hasMore = items.length > limit;
  const page = hasMore ? items.slice(0, limit) : items;
  return { items: page, nextCursor: hasMore ? (page[page.length - 1]?.id ?? null) : null };
}
