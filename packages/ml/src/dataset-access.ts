/**
 * What training and evaluation need from a dataset version: the metadata the trainer uses and
 * its rows, split by split, streamed (never the whole dataset in memory). @lathe/data
 * implements it over the artifact store; tests can implement it over arrays.
 */
import type { DatasetMetadata } from './families/types.ts';

export type SplitName = 'train' | 'validation' | 'test';

export interface OpenedDataset {
  metadata: DatasetMetadata;
  /** Rows of one split, in the row shapes of @lathe/data's rows.ts; each call starts a new pass. */
  rows(split: SplitName): AsyncIterable<unknown>;
  /** Row counts per split, when known (progress, slices). */
  counts?: Partial<Record<SplitName, number>>;
}

export interface DatasetVersionRef {
  id: string;
  sha256: string;
  uri: string;
  schema: unknown;
  split: unknown;
}

export interface DatasetAccess {
  open(version: DatasetVersionRef): Promise<OpenedDataset>;
}
