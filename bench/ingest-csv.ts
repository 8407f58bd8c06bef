/**
 * CSV ingest throughput and memory. Generates 100,000- and 1,000,000-row tabular CSVs under
 * /tmp, then measures in one process:
 *   (a) a plain csv-parse stream (`columns: true`) over the 1M-row file: the parsing floor;
 *   (b) ingestToArtifacts over the same file: UTF-8 check, parse, validation, normalisation,
 *       JSON Lines + sha256, profile, seeded split, artifact store;
 * and prints rows/s of each and their ratio (goal ≥ 0.5), then the peak RSS of ingest at 100k
 * vs 1M rows (goal: flat, bounded memory). Run: pnpm exec tsx bench/ingest-csv.ts
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import { ingestToArtifacts } from '../packages/data/src/index.ts';

// csv-parse is a dependency of @lathe/data, resolved from there (bench/ is not a package).
const { parse } = createRequire(new URL('../packages/data/package.json', import.meta.url))('csv-parse') as {
  parse: (options: { columns: boolean }) => NodeJS.ReadWriteStream;
};

const dir = await mkdtemp(join(tmpdir(), 'lathe-bench-ingest-'));
const gc = (globalThis as { gc?: () => void }).gc;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('customer_id,age,tenure_months,monthly_spend,plan,region,churned\n');
  let a = 12345;
  const rnd = () => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296;
  const plans = ['basic', 'plus', 'pro'];
  const regions = ['north', 'south', 'east', 'west', 'centre'];
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `${i},${18 + Math.floor(rnd() * 60)},${Math.floor(rnd() * 120)},${(rnd() * 200).toFixed(2)},${plans[Math.floor(rnd() * 3)]},${regions[Math.floor(rnd() * 5)]},${rnd() < 0.2 ? 'yes' : 'no'}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

async function plainParse(path: string): Promise<number> {
  let rows = 0;
  for await (const _record of createReadStream(path, { highWaterMark: 1 << 20 }).pipe(
    parse({ columns: true }),
  ))
    rows += 1;
  return rows;
}

async function ingest(path: string): Promise<{ rows: number; seconds: number; peakRss: number }> {
  gc?.();
  const store = new LocalArtifactStore(join(dir, 'store'));
  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const start = performance.now();
  const result = await ingestToArtifacts(
    {
      useCase: 'tabular',
      source: { kind: 'file', path },
      columnMap: { target: 'churned', exclude: ['customer_id'] },
    },
    { store, onProgress: sample },
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  sample();
  return { rows: result.rows, seconds, peakRss };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
try {
  const small = join(dir, '100k.csv');
  const large = join(dir, '1m.csv');
  await writeCsv(small, 100_000);
  await writeCsv(large, 1_000_000);
  console.log(
    `files: 100k rows ${mb((await stat(small)).size)}, 1M rows ${mb((await stat(large)).size)}; gc exposed: ${gc !== undefined}`,
  );

  // Warm-up (JIT) on the small file, then the measurements.
  await plainParse(small);
  const smallIngest = await ingest(small);

  const start = performance.now();
  const parsedRows = await plainParse(large);
  const parseSeconds = (performance.now() - start) / 1000;
  const largeIngest = await ingest(large);

  const parseRate = parsedRows / parseSeconds;
  const ingestRate = largeIngest.rows / largeIngest.seconds;
  console.log(
    `csv-parse alone      : ${parsedRows} rows in ${parseSeconds.toFixed(2)} s = ${Math.round(parseRate).toLocaleString('en')} rows/s`,
  );
  console.log(
    `ingestToArtifacts    : ${largeIngest.rows} rows in ${largeIngest.seconds.toFixed(2)} s = ${Math.round(ingestRate).toLocaleString('en')} rows/s`,
  );
  console.log(`ratio ingest / parse : ${(ingestRate / parseRate).toFixed(2)} (goal ≥ 0.5)`);
  console.log(`peak RSS, ingest 100k: ${mb(smallIngest.peakRss)}`);
  console.log(`peak RSS, ingest 1M  : ${mb(largeIngest.peakRss)}`);
  console.log(
    `RSS ratio 1M / 100k  : ${(largeIngest.peakRss / smallIngest.peakRss).toFixed(2)} for 10× the rows`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
