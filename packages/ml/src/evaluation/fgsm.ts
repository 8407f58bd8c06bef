/**
 * Adversarial robustness by the fast gradient sign method (Goodfellow, Shlens & Szegedy 2015,
 * "Explaining and Harnessing Adversarial Examples"): each row is moved by ε in the direction
 * that increases its loss fastest under an L∞ bound,
 *   x_adv = clip(x + ε · sign(∇ₓ L(f(x), y)), input range),
 * L the cross-entropy of the row's true class, the gradient taken by tf.grad through the model
 * (its probabilities, in inference mode). ε is in the model's input scale (images: pixel / 255,
 * so ε = 0.1 is about 25 grey levels; tabular: standard deviations of a numeric feature). The
 * perturbed inputs are not rounded back to bytes. The gradient does not depend on ε, so it is
 * computed once per batch and every ε reuses it: cost one backward and 1 + |ε| forward passes.
 * A softmax saturated to exactly 1 in float32 has a zero gradient and leaves that row unmoved,
 * so FGSM accuracy is an upper bound on accuracy under the strongest ε-bounded attack.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationPredictions } from '../families/layers-family.ts';
import type { DifferentiableClassifier } from '../families/types.ts';

export interface FgsmAccuracy {
  /** Accuracy on the unperturbed rows, through the same path. */
  clean: number;
  byEpsilon: { epsilon: number; accuracy: number }[];
  rows: number;
}

export async function fgsmAccuracy<R>(
  classifier: DifferentiableClassifier,
  rows: R[],
  labelOf: (row: R) => string,
  epsilons: number[],
  batchSize = 256,
): Promise<FgsmAccuracy> {
  const classIndex = new Map(classifier.labels.map((l, i) => [l, i]));
  const correct = new Array<number>(epsilons.length + 1).fill(0);
  const predictedLabels = async (probabilities: tf.Tensor2D) => {
    const values = (await probabilities.array()) as number[][];
    probabilities.dispose();
    return classificationPredictions(values, classifier.labels, classifier.decisionThreshold).map(
      (p) => p.label,
    );
  };
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const truth = batch.map(labelOf);
    const encoded = classifier.encode(batch);
    try {
      const direction = tf.tidy(() => {
        // A label the model does not know gives a zero row: no gradient, and the row counts as wrong.
        const ids = tf.tensor1d(
          truth.map((l) => classIndex.get(l) ?? -1),
          'int32',
        );
        const y = tf.oneHot(ids, classifier.labels.length).toFloat();
        const loss = (x: tf.Tensor) =>
          tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(encoded.probabilities(x), 1e-7, 1)))));
        const sign = tf.sign(tf.grad(loss)(encoded.x));
        return encoded.perturbable ? tf.mul(sign, encoded.perturbable) : sign;
      });
      const outcomes = [tf.tidy(() => encoded.probabilities(encoded.x))];
      for (const epsilon of epsilons)
        outcomes.push(
          tf.tidy(() => {
            const moved = tf.add(encoded.x, tf.mul(direction, epsilon));
            const range = classifier.inputRange;
            return encoded.probabilities(range ? tf.clipByValue(moved, range.min, range.max) : moved);
          }),
        );
      direction.dispose();
      for (let k = 0; k < outcomes.length; k++) {
        const labels = await predictedLabels(outcomes[k]!);
        correct[k]! += labels.filter((l, i) => l === truth[i]).length;
      }
    } finally {
      encoded.dispose();
    }
  }
  const n = Math.max(1, rows.length);
  return {
    clean: correct[0]! / n,
    byEpsilon: epsilons.map((epsilon, k) => ({ epsilon, accuracy: correct[k + 1]! / n })),
    rows: rows.length,
  };
}
