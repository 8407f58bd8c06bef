/**
 * Reads a dataset version back for training and evaluation: the content artifact streamed line
 * by line (verified against its sha256 by the store), image pixels decoded, optionally only the
 * rows of one split (membership as a bitmap: one byte per row, not the rows).
 */
import { createInterface } from 'node:readline';
import type { ArtifactStore } from '@lathe/artifacts';
import type { AnyRow, SplitIndices, UseCase } from '@lathe/contract';

export async function readSplit(store: ArtifactStore, splitSha256: string): Promise<SplitIndices> {
  return JSON.parse((await store.getBuffer(splitSha256)).toString('utf8')) as SplitIndices;
}

export function decodeRow(line: string, useCase: UseCase): AnyRow {
  const value = JSON.parse(line) as Record<string, unknown>;
  if ((useCase === 'image' || useCase === 'generative') && typeof value.pixels === 'string') {
    return { label: String(value.label), pixels: new Uint8Array(Buffer.from(value.pixels, 'base64')) };
  }
  // Why the cast: Rows of the other use cases are stored as written (their JSON is the row itself), by the dataset version's own writer.
  return value as unknown as AnyRow;
}

export async function* readRows(
  store: ArtifactStore,
  contentSha256: string,
  useCase: UseCase,
  only?: Uint8Array,
): AsyncGenerator<AnyRow> {
  const lines = createInterface({ input: await store.get(contentSha256), crlfDelay: Infinity });
  let position = 0;
  for await (const line of lines) {
    if (line === '') continue;
    if (!only || only[position] === 1) yield decodeRow(line, useCase);
    position += 1;
  }
}

export function membership(indices: number[], rows: number): Uint8Array {
  const mask = new Uint8Array(rows);
  for (const i of indices) mask[i] = 1;
  return mask;
}
