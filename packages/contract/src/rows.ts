/**
 * The contract between ingest (which writes dataset versions) and training/evaluation
 * (which read them): the row shape of each use case after normalisation.
 *
 * A dataset version's content artifact is UTF-8 JSON Lines, one row per line, keys in the
 * order below. Binary image pixels are stored base64-encoded in the file and decoded to a
 * Uint8Array (row-major height × width × channels) by the reader.
 */
import { z } from 'zod';

export const useCaseSchema = z
  .enum(['recommendation', 'image', 'nlp', 'tabular', 'generative'])
  .describe('what the data is and the model predicts');
export type UseCase = z.infer<typeof useCaseSchema>;

/** One interaction. `rating` is null for implicit feedback (a click, a view, a purchase). */
export interface RecommendationRow {
  user: string;
  item: string;
  rating: number | null;
  /** Milliseconds since the Unix epoch, or null when the source has no time. */
  timestamp: number | null;
}

export interface ImageRow {
  label: string;
  /** height × width × channels bytes, row-major; dimensions are in the dataset schema. */
  pixels: Uint8Array;
}

export interface TextRow {
  text: string;
  label: string;
}

/** Feature values by column name; the target column's value is in `target`. */
export interface TabularRow {
  features: Record<string, number | string | null>;
  target: string | number;
  /** Columns declared `id` (customer numbers): kept for joins and scoring output, never a model input. */
  keys?: Record<string, string>;
}

export type RowOf<U extends UseCase> = U extends 'recommendation'
  ? RecommendationRow
  : U extends 'image' | 'generative'
    ? ImageRow
    : U extends 'nlp'
      ? TextRow
      : TabularRow;

export type AnyRow = RecommendationRow | ImageRow | TextRow | TabularRow;

/** Image dimensions, recorded in the dataset schema of image datasets. */
export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/** Row indices (0-based positions in the content artifact) of each split. */
export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}
