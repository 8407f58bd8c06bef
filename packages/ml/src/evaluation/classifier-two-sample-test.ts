/**
 * Classifier two-sample test (Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample
 * Tests"): how well the project's own image classifier (the `cnn` family) tells generated
 * images from real ones. Real and generated images are labelled, shuffled (seeded) and split in
 * halves; the classifier trains on one half and is scored on the other. Accuracy 0.5 means the
 * generator's images are indistinguishable from real ones to this classifier; 1 means trivially
 * told apart. Under the null hypothesis (same distribution) the held-out accuracy is
 * Binomial(n, 1/2)/n, so its standard error is 0.5/√n; the p-value is one-sided (the paper's
 * alternative is "the classifier does better than chance"), from the normal approximation.
 */
import type { ImageRow, ImageShape } from '@lathe/contract';
import { loadModel } from '../inference/load-model.ts';
import { seededRandom, shuffleInPlace } from '../random.ts';
import { train } from '../training/train.ts';

export interface TwoSampleTest {
  accuracy: number;
  /** 0.5/√n: the accuracy's standard error if the two samples came from one distribution. */
  nullStandardError: number;
  /** (accuracy − 0.5) / nullStandardError. */
  z: number;
  /** P(accuracy this high or higher | one distribution): 1 − Φ(z). */
  pValue: number;
  heldOut: number;
}

/**
 * erfc by the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed., §6.2, `erfcc`):
 * fractional error under 1.2e-7 everywhere, so tiny p-values keep their magnitude.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** One-sided p-value of a standard normal statistic: P(Z ≥ z). */
export function upperTailPValue(z: number): number {
  return Math.min(1, 0.5 * erfc(z / Math.SQRT2));
}

export async function classifierTwoSampleTest(options: {
  real: Uint8Array[];
  generated: Uint8Array[];
  shape: ImageShape;
  seed: number;
  epochs?: number;
}): Promise<TwoSampleTest> {
  const rows: ImageRow[] = [
    ...options.real.map((pixels) => ({ label: 'real', pixels })),
    ...options.generated.map((pixels) => ({ label: 'generated', pixels })),
  ];
  shuffleInPlace(rows, seededRandom(options.seed));
  const half = Math.floor(rows.length / 2);
  const fit = rows.slice(0, half);
  const test = rows.slice(half);
  const result = await train({
    family: 'cnn',
    hyperparameters: {
      epochs: options.epochs ?? 4,
      batchSize: 32,
      depth: 1,
      width: 8,
      hiddenUnits: 32,
      learningRate: 0.003,
    },
    seed: options.seed,
    dataset: { useCase: 'image', imageShape: options.shape, labels: ['generated', 'real'] },
    trainRows: async function* () {
      yield* fit;
    },
  });
  const model = await loadModel(result.buffer);
  try {
    const predictions = await model.predict(test);
    const accuracy = predictions.filter((p, i) => p.label === test[i]!.label).length / test.length;
    const nullStandardError = 0.5 / Math.sqrt(test.length);
    const z = (accuracy - 0.5) / nullStandardError;
    return { accuracy, nullStandardError, z, pValue: upperTailPValue(z), heldOut: test.length };
  } finally {
    model.dispose();
  }
}
