/**
 * What training and evaluation need from a dataset version: the metadata the trainer uses and
 * its rows, split by split, streamed (never the whole dataset in memory). @lathe/data
 * implements it over the artifact store; @lathe/ml and the train and evaluate stages consume it;
 * tests can implement it over arrays.
 */
import type { ImageShape, UseCase } from './rows.ts';

export type SplitName = 'train' | 'validation' | 'test';

export interface DatasetMetadata {
  useCase: UseCase;
  /** Required for image and generative datasets. */
  imageShape?: ImageShape;
  /** Class labels in a fixed order; discovered from the training split when absent. */
  labels?: string[];
  /** Recommendation: true when interactions are clicks/views (rating null). Defaults to "every rating is null". */
  implicit?: boolean;
}

export interface OpenedDataset {
  metadata: DatasetMetadata;
  /** Rows of one split, in the row shapes of rows.ts; each call starts a new pass. */
  rows(split: SplitName): AsyncIterable<unknown>;
  /** Row counts per split, when known (progress, slices). */
  counts?: Partial<Record<SplitName, number>>;
}

/** The fields of a registered DatasetVersion that opening it reads. */
export interface DatasetVersionRef {
  sha256: string;
  schema: unknown;
  split: unknown;
  /** Total rows, when known (otherwise the split's sizes add up to it). */
  rows?: number;
}

export interface DatasetAccess {
  open(version: DatasetVersionRef): Promise<OpenedDataset>;
}
