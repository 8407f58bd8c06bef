/**
 * Dataset versions as training and evaluation read them: @lathe/contract's DatasetAccess over
 * the artifact store.
 */
import type { ArtifactStore } from '@lathe/artifacts';
import type { DatasetAccess, DatasetVersionRef, OpenedDataset, SplitName } from '@lathe/contract';
import type { DatasetSchemaInfo, StoredSplit } from '../ingest/ingest-to-artifacts.ts';
import { membership, readRows, readSplit } from './read-rows.ts';

/** A stored version always knows its split sizes, so `counts` is always there. */
export type OpenedDatasetVersion = OpenedDataset & { counts: Record<SplitName, number> };

export interface DatasetVersionAccess extends DatasetAccess {
  open(version: DatasetVersionRef): Promise<OpenedDatasetVersion>;
}

export function createDatasetAccess(store: ArtifactStore): DatasetVersionAccess {
  return {
    async open(version) {
      const schema = version.schema as DatasetSchemaInfo;
      const stored = version.split as StoredSplit | null;
      const indices = stored ? await readSplit(store, stored.sha256) : null;
      const total =
        version.rows ??
        (indices ? indices.train.length + indices.validation.length + indices.test.length : 0);
      const masks = indices
        ? {
            train: membership(indices.train, total),
            validation: membership(indices.validation, total),
            test: membership(indices.test, total),
          }
        : null;
      return {
        metadata: {
          useCase: schema.useCase,
          ...(schema.image ? { imageShape: schema.image } : {}),
          ...(schema.labels ? { labels: schema.labels } : {}),
          ...(schema.implicit !== undefined ? { implicit: schema.implicit } : {}),
        },
        counts: {
          train: indices?.train.length ?? total,
          validation: indices?.validation.length ?? 0,
          test: indices?.test.length ?? 0,
        },
        rows: (split) => readRows(store, version.sha256, schema.useCase, masks ? masks[split] : undefined),
      };
    },
  };
}
