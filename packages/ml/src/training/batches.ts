/**
 * Streams rows into shuffled batches with bounded memory: a shuffle buffer of `bufferSize`
 * rows, each incoming row replacing a random one that is emitted (the scheme of tf.data's
 * `shuffle(bufferSize)`); the remainder is shuffled and drained at the end. Memory holds at
 * most bufferSize + batchSize rows, whatever the dataset size.
 */
import type { Random } from '../random.ts';
import { shuffleInPlace } from '../random.ts';

export async function* shuffledBatches<T>(
  rows: AsyncIterable<T>,
  batchSize: number,
  bufferSize: number,
  random: Random,
): AsyncGenerator<T[]> {
  const buffer: T[] = [];
  let batch: T[] = [];
  for await (const row of rows) {
    if (buffer.length < bufferSize) {
      buffer.push(row);
      continue;
    }
    const j = Math.floor(random() * bufferSize);
    batch.push(buffer[j]!);
    buffer[j] = row;
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  shuffleInPlace(buffer, random);
  for (const row of buffer) {
    batch.push(row);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Batches in source order (evaluation and prediction). */
export async function* orderedBatches<T>(rows: AsyncIterable<T>, batchSize: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
