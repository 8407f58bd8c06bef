/**
 * The production `IngestUpload`: an uploaded CSV/JSON Lines file goes through @lathe/data's
 * ingest (validation, PII masking, profile, split, drift) and becomes a dataset version. A bad
 * file is refused with its own error code (422 problem+json) and leaves nothing behind.
 */
import { rm } from 'node:fs/promises';
import type { ArtifactStore } from '@lathe/artifacts';
import { ingestDatasetVersion } from '@lathe/data';
import { getDataset, type Registry } from '@lathe/registry';
import type { IngestUpload } from './ingest-upload.ts';

export function ingestWithData(registry: Registry, store: ArtifactStore): IngestUpload {
  return async ({ datasetId, file, source }) => {
    try {
      const dataset = await getDataset(registry, datasetId);
      const { version, created } = await ingestDatasetVersion(
        { registry, store },
        {
          datasetId,
          spec: { useCase: dataset.useCase, source: { kind: 'file', path: file.path, format: file.format } },
          provenance: { ...source, uploadSha256: file.sha256 },
        },
      );
      return { version, created };
    } finally {
      await rm(file.path, { force: true });
    }
  };
}
