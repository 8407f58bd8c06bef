/**
 * Datasets and their immutable, content-addressed versions. Registering a version is
 * idempotent by sha256: the same content returns the existing version; new content gets the
 * next version number and records the latest version as its parent.
 */
import { ConflictError, NotFoundError } from '@lathe/core';
import type { Dataset, DatasetVersion, UseCase } from '../generated/prisma/client.ts';
import { type Db, type Json, inTransaction, isUniqueViolation } from './db.ts';
import { type PrivacySpend, recordPrivacySpend, reservePrivacySpend } from './privacy-ledger.ts';

export async function ensureDataset(
  db: Db,
  input: { name: string; useCase: UseCase; description?: string },
): Promise<Dataset> {
  const existing = await db.dataset.findUnique({ where: { name: input.name } });
  if (existing) return existing;
  try {
    return await db.dataset.create({ data: input });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return db.dataset.findUniqueOrThrow({ where: { name: input.name } });
  }
}

/** A new dataset; its name is unique (409 `dataset_name_taken` when it is taken). */
export async function createDataset(
  db: Db,
  input: { name: string; useCase: UseCase; description?: string },
): Promise<Dataset> {
  try {
    return await db.dataset.create({ data: { ...input, description: input.description ?? '' } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ConflictError(
      'dataset_name_taken',
      `a dataset named ${JSON.stringify(input.name)} already exists`,
      {
        field: 'body.name',
      },
    );
  }
}

export async function getDataset(db: Db, id: string): Promise<Dataset> {
  const dataset = await db.dataset.findUnique({ where: { id } });
  if (!dataset) throw new NotFoundError('dataset', id);
  return dataset;
}

export interface NewDatasetVersion {
  datasetId: string;
  sha256: string;
  uri: string;
  format: string;
  rows: number;
  sizeBytes: number | bigint;
  schema: Json;
  source: Json;
  profile?: Json;
  split?: Json;
  privacy?: Json;
  drift?: Json;
  /** A perturbed version's spend of the dataset's privacy budget (refused when it would exceed it). */
  privacySpend?: PrivacySpend;
}

export interface RegisteredDatasetVersion {
  version: DatasetVersion;
  /** False when identical content was registered before and that version is returned. */
  created: boolean;
}

export async function registerDatasetVersion(
  db: Db,
  { privacySpend, ...input }: NewDatasetVersion,
): Promise<RegisteredDatasetVersion> {
  for (let attempt = 0; ; attempt++) {
    const existing = await db.datasetVersion.findUnique({
      where: { datasetId_sha256: { datasetId: input.datasetId, sha256: input.sha256 } },
    });
    if (existing) return { version: existing, created: false };
    try {
      const version = await inTransaction(db, async (tx) => {
        if (privacySpend) await reservePrivacySpend(tx, input.datasetId, privacySpend);
        const latest = await tx.datasetVersion.findFirst({
          where: { datasetId: input.datasetId },
          orderBy: { version: 'desc' },
        });
        const created = await tx.datasetVersion.create({
          data: {
            ...input,
            sizeBytes: BigInt(input.sizeBytes),
            version: (latest?.version ?? 0) + 1,
            parentId: latest?.id ?? null,
          },
        });
        if (privacySpend) await recordPrivacySpend(tx, input.datasetId, created.id, privacySpend);
        return created;
      });
      return { version, created: true };
    } catch (error) {
      // Two ingests raced: either the same content (returned above on the next pass) or a
      // version number taken by the other; both resolve by trying again.
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

export async function getDatasetVersion(db: Db, id: string): Promise<DatasetVersion> {
  const version = await db.datasetVersion.findUnique({ where: { id } });
  if (!version) throw new NotFoundError('dataset version', id);
  return version;
}

export async function latestDatasetVersion(db: Db, datasetId: string): Promise<DatasetVersion | null> {
  return db.datasetVersion.findFirst({ where: { datasetId }, orderBy: { version: 'desc' } });
}
