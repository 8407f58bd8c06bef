/**
 * Integrated gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep
 * Networks"): attribution_i = (x_i − x'_i) · ∫₀¹ ∂f(x' + α(x − x'))/∂x_i dα, approximated by the
 * midpoint rule over `steps` points, evaluated as one batch (cost: one forward and one backward
 * pass over `steps` rows). Completeness: Σ attributions = f(x) − f(x'), up to the approximation
 * error the result reports, which shrinks as `steps` grows.
 */
import * as tf from '@tensorflow/tfjs';

export interface IntegratedGradients {
  attributions: number[];
  /** f(x) and f(baseline). */
  output: number;
  baselineOutput: number;
  /** |Σ attributions − (f(x) − f(baseline))|: the approximation's error. */
  completenessGap: number;
  steps: number;
}

/** `f` maps a batch of rows [n, d] to one differentiable output per row [n] (a class probability, a score). */
export async function integratedGradients(
  f: (x: tf.Tensor2D) => tf.Tensor1D,
  input: number[],
  baseline: number[],
  steps = 64,
): Promise<IntegratedGradients> {
  if (input.length !== baseline.length)
    throw new Error(`integrated gradients: input has ${input.length} values, baseline ${baseline.length}`);
  const d = input.length;
  const [avgGradients, ends] = tf.tidy(() => {
    const x = tf.tensor2d([input]);
    const x0 = tf.tensor2d([baseline]);
    const alphas = tf.tensor2d(
      Array.from({ length: steps }, (_, k) => [(k + 0.5) / steps]),
      [steps, 1],
    );
    const path = x0.add(alphas.mul(x.sub(x0))) as tf.Tensor2D;
    const gradients = tf.grad((points: tf.Tensor) => f(points as tf.Tensor2D).sum())(path);
    return [gradients.mean(0), f(tf.concat([x, x0]) as tf.Tensor2D)];
  });
  const [g, out] = await Promise.all([avgGradients.data(), ends.data()]);
  tf.dispose([avgGradients, ends]);
  const attributions = Array.from({ length: d }, (_, i) => (input[i]! - baseline[i]!) * g[i]!);
  const total = attributions.reduce((a, b) => a + b, 0);
  return {
    attributions,
    output: out[0]!,
    baselineOutput: out[1]!,
    completenessGap: Math.abs(total - (out[0]! - out[1]!)),
    steps,
  };
}
