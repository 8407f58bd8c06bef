/**
 * Fashion-MNIST (Debian `dataset-fashion-mnist`, read through @lathe/data's idx source): the
 * `cnn` family trained through Lathe's `train` on the first N training images (file order;
 * default 20,000 of the 60,000, to stay within a few CPU minutes), then accuracy on all 10,000
 * t10k test images and wall time.
 * Run: pnpm exec tsx bench/train-fashion-mnist.ts [epochs] [trainImages]
 *      --tune: report on training images 55,001–60,000 instead of t10k (for choosing hyperparameters)
 *      --hp='{"width":24}' overrides hyperparameters.
 */
import {
  CNN_BENCH_HYPERPARAMETERS,
  fashionMnist,
  hyperparameterOverrides,
  runImageBench,
} from './support/image-bench.ts';

const tune = process.argv.includes('--tune');
const overrides = hyperparameterOverrides(process.argv);
const [epochs = 5, trainImages = 20_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
if (trainImages > 55_000)
  throw new Error('at most 55,000 training images (the last 5,000 are the tuning hold-out)');
const train = await fashionMnist('train', tune ? 60_000 : trainImages);
const testRows = tune ? train.slice(55_000) : await fashionMnist('t10k');

await runImageBench({
  name: tune
    ? `Fashion-MNIST tuning (${trainImages} train / training images 55,001–60,000)`
    : `Fashion-MNIST (${trainImages} of 60,000 train images / all 10,000 t10k)`,
  trainRows: train.slice(0, trainImages),
  testRows,
  seed: 7,
  hyperparameters: { ...CNN_BENCH_HYPERPARAMETERS, epochs, ...overrides },
});
