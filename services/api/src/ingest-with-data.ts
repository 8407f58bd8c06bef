/**
 * The production `IngestUpload`: an uploaded CSV/JSON Lines file goes through @lathe/data's
 * ingest (validation, declared column types, PII masking, profile, split, drift) and becomes a
 * dataset version. A bad file is refused with its own error code (422 problem+json), named as
 * the user named it, and leaves nothing behind: a dataset named in the upload is created only
 * once its first version is accepted.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ArtifactStore } from '@lathe/artifacts';
import { ConflictError } from '@lathe/core';
import { ingestDatasetVersion } from '@lathe/data';
import { createDataset, getDataset, type Dataset, type Registry } from '@lathe/registry';
import type { IngestUpload, UploadTarget } from './ingest-upload.ts';

export function ingestWithData(
  registry: Registry,
  store: ArtifactStore,
  config: { piiSalt?: string | undefined } = {},
): IngestUpload {
  return async ({ dataset: target, file, fileName, options, source }) => {
    try {
      const existing = await existingDataset(registry, target);
      const useCase = existing?.useCase ?? (target as Extract<UploadTarget, { name: string }>).useCase;
      let named: { dataset: Dataset; created: boolean } | undefined;
      const { version, created: versionCreated } = await ingestDatasetVersion(
        { registry, store, ...(config.piiSalt !== undefined ? { piiSalt: config.piiSalt } : {}) },
        {
          datasetId: async () => {
            if (existing) return existing.id;
            named = await createOrFind(registry, target as Extract<UploadTarget, { name: string }>);
            return named.dataset.id;
          },
          spec: {
            ...options,
            useCase,
            // A stream rather than the temp file's path, so that messages name the user's file.
            source: {
              kind: 'stream',
              stream: createReadStream(file.path),
              format: file.format,
              ...(fileName ? { name: fileName } : {}),
            },
          },
          provenance: { ...source, ...(fileName ? { fileName } : {}), uploadSha256: file.sha256 },
        },
      );
      return {
        dataset: existing ?? named!.dataset,
        datasetCreated: named?.created ?? false,
        version,
        created: versionCreated,
      };
    } finally {
      await rm(file.path, { force: true });
    }
  };
}

/** The dataset an upload names, if it exists; a name taken by another use case is 409. */
async function existingDataset(registry: Registry, target: UploadTarget): Promise<Dataset | null> {
  if ('id' in target) return getDataset(registry, target.id);
  const found = await registry.dataset.findUnique({ where: { name: target.name } });
  if (found && found.useCase !== target.useCase)
    throw new ConflictError(
      'dataset_use_case_mismatch',
      `the dataset ${JSON.stringify(target.name)} is a ${found.useCase} dataset, not ${target.useCase}; pick another name or use case`,
      { field: 'query.useCase' },
    );
  return found;
}

/** Creates the named dataset; a concurrent upload that created it first wins the name. */
async function createOrFind(
  registry: Registry,
  target: Extract<UploadTarget, { name: string }>,
): Promise<{ dataset: Dataset; created: boolean }> {
  try {
    return { dataset: await createDataset(registry, target), created: true };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    return {
      dataset: await registry.dataset.findUniqueOrThrow({ where: { name: target.name } }),
      created: false,
    };
  }
}
