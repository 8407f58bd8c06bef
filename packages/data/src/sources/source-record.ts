import type { ImageShape } from '@lathe/contract';

/** One record as the source gave it, before mapping to the use case's row. */
export interface SourceRecord {
  values: Record<string, unknown>;
  /** 1-based data row number (a header is not a row). */
  row: number;
}

export interface OpenedSource {
  /** csv, tsv, jsonl, postgres, idx, image-folder, sample:<name>. */
  format: string;
  /** Column names known before the first row (header, query fields, or the first object's keys). */
  columns: string[];
  records: AsyncIterable<SourceRecord>;
  /** Image sources know their pixel layout. */
  image?: ImageShape;
  /** Where the data came from, for the version's `source` metadata (no secrets). */
  description: Record<string, unknown>;
}
