/**
 * Dataset versions as training and evaluation read them (the DatasetAccess contract of
 * @lathe/ml, declared structurally here so @lathe/data does not depend on @lathe/ml).
 */
import type { ArtifactStore } from '@lathe/artifacts';
import type { DatasetSchemaInfo, StoredSplit } from '../ingest/ingest-to-artifacts.ts';
import type { ImageShape, UseCase } from '../rows.ts';
import { membership, readRows, readSplit } from './read-rows.ts';

type SplitName = 'train' | 'validation' | 'test';

export interface OpenedDatasetVersion {
  metadata: { useCase: UseCase; imageShape?: ImageShape; labels?: string[]; implicit?: boolean };
  rows(split: SplitName): AsyncIterable<unknown>;
  counts: Record<SplitName, number>;
}

export function createDatasetAccess(store: ArtifactStore) {
  return {
    async open(version: {
      sha256: string;
      schema: unknown;
      split: unknown;
      rows?: number;
    }): Promise<OpenedDatasetVersion> {
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
