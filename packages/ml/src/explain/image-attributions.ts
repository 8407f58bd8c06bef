/**
 * Per-prediction attribution maps for image classifiers: integrated gradients (Sundararajan,
 * Taly & Yan 2017) of the explained class's probability over the pixels, from a black image
 * (every pixel 0) to the explained one, in the model's input scale (pixel / 255). The
 * attributions have the layout of `pixels` (height × width × channels, row-major); `map` sums
 * them over channels (height × width). Completeness: Σ attributions ≈ p(x) − p(black), the
 * midpoint rule's error reported as `completenessGap`.
 * Cost bound: one forward and one backward pass over `steps` images in one batch, plus one
 * forward pass over 2 (the image and the baseline); `steps` is the caller's bound.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '@lathe/contract';
import { classificationPredictions } from '../families/layers-family.ts';
import type { DifferentiableClassifier } from '../families/types.ts';
import { integratedGradients } from './integrated-gradients.ts';

export interface ImageAttribution {
  label: string;
  probability: number;
  baselineProbability: number;
  baseline: 'black';
  shape: ImageShape;
  /** Contribution of each pixel value to the probability, in the layout of `pixels`. */
  attributions: number[];
  /** `attributions` summed over channels: height × width, row-major. */
  map: number[];
  completenessGap: number;
  steps: number;
  /** Images the model ran on: `steps` (with gradients) + 2. */
  evaluations: number;
}

export async function explainImagePrediction(options: {
  classifier: DifferentiableClassifier;
  pixels: ArrayLike<number>;
  shape: ImageShape;
  label?: string;
  steps?: number;
}): Promise<ImageAttribution> {
  const { classifier, shape } = options;
  const steps = options.steps ?? 32;
  const encoded = classifier.encode([{ pixels: Uint8Array.from(options.pixels) }]);
  try {
    const input = Array.from(await encoded.x.data());
    const probabilities = encoded.probabilities(encoded.x);
    const predicted = classificationPredictions(
      (await probabilities.array()) as number[][],
      classifier.labels,
      classifier.decisionThreshold,
    )[0]!.label;
    probabilities.dispose();
    const label = options.label ?? predicted;
    const k = classifier.labels.indexOf(label);
    if (k < 0) throw new Error(`explain: ${JSON.stringify(label)} is not a label of the model`);
    const dims = [shape.height, shape.width, shape.channels];
    const f = (points: tf.Tensor2D) =>
      encoded
        .probabilities(points.reshape([-1, ...dims]))
        .slice([0, k], [-1, 1])
        .reshape([-1]) as tf.Tensor1D;
    const ig = await integratedGradients(f, input, new Array<number>(input.length).fill(0), steps);
    const map = new Array<number>(shape.height * shape.width).fill(0);
    ig.attributions.forEach((a, i) => (map[Math.floor(i / shape.channels)]! += a));
    return {
      label,
      probability: ig.output,
      baselineProbability: ig.baselineOutput,
      baseline: 'black',
      shape,
      attributions: ig.attributions,
      map,
      completenessGap: ig.completenessGap,
      steps,
      evaluations: steps + 2,
    };
  } finally {
    encoded.dispose();
  }
}
