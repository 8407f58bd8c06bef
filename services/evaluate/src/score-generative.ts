/**
 * The held-out metric of a generative (DCGAN) model: the classifier two-sample test
 * (Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample Tests", @lathe/ml
 * classifierTwoSampleTest). The model generates n images from the evaluation's seed, n =
 * min(1,000, test split size); the first n real images of the test split (the split's order is
 * already the ingest's seeded shuffle) are the other sample. A small cnn trains on half of the
 * 2n labelled images and is scored on the other half (n images), so:
 *   - `c2stAccuracy`: its held-out accuracy; 0.5 when it cannot tell generated from real, 1 when
 *     it always can. A gate reads it as lower-is-better (`{"metric": "c2stAccuracy", "op": "<=",
 *     "value": 0.9}`);
 *   - `c2stZ`: (accuracy − 0.5) / (0.5/√n), the accuracy in null standard errors;
 *   - `c2stPValue`: one-sided P(accuracy ≥ observed | one distribution), normal approximation;
 *   - `c2stSamples`: n, images per side (and the held-out count);
 *   - `frechetDistance`: the FID formula (Heusel et al. 2017, @lathe/ml frechetDistance) between
 *     the n real and n generated images over a fixed feature map (pooledPixelFeatures: 7×7
 *     average-pooled intensities per channel, mean, standard deviation, edge strength), lower is
 *     better, 0 for identical samples. It does not saturate, so it ranks generators the two-sample
 *     test calls equally distinguishable. Not the Inception FID: no downloaded network, so its
 *     values compare only with each other on one dataset and n, not with published FIDs.
 * The same seed gives the same images, shuffle and classifier, so a rerun gives the same numbers
 * and the production baseline is tested on the same footing.
 */
import type { ImageRow, ImageShape, OpenedDataset } from '@lathe/contract';
import {
  type EvaluationSummary,
  type LoadedModel,
  classifierTwoSampleTest,
  frechetDistance,
  pooledPixelFeatures,
} from '@lathe/ml';

export const TWO_SAMPLE_SETTINGS = {
  maxSamples: 1000,
  /** Below this the held-out half is too small for the z statistic's normal approximation. */
  minSamples: 20,
  /** The cnn's epochs: enough to separate clearly unlike samples (bench/gan-metric.ts). */
  epochs: 4,
} as const;

export type GenerativeScore = { summary: EvaluationSummary; note: string } | { summary: null; note: string };

/** The Fréchet distance of two image samples over the fixed pooled-pixel features. */
export function imageFrechetDistance(real: Uint8Array[], generated: Uint8Array[], shape: ImageShape): number {
  return frechetDistance(
    real.map((p) => pooledPixelFeatures(p, shape)),
    generated.map((p) => pooledPixelFeatures(p, shape)),
  );
}

/** The C2ST and Fréchet distance of two image samples as evaluation metrics; the arrays must have one length. */
export async function twoSampleSummary(options: {
  real: Uint8Array[];
  generated: Uint8Array[];
  shape: ImageShape;
  seed: number;
}): Promise<EvaluationSummary> {
  const test = await classifierTwoSampleTest({ ...options, epochs: TWO_SAMPLE_SETTINGS.epochs });
  return {
    kind: 'generative',
    rows: options.real.length,
    metrics: {
      c2stAccuracy: test.accuracy,
      c2stZ: test.z,
      c2stPValue: test.pValue,
      c2stSamples: options.real.length,
      frechetDistance: imageFrechetDistance(options.real, options.generated, options.shape),
    },
    undefinedMetrics: {},
    curves: {},
  };
}

export async function scoreGenerative(
  model: LoadedModel,
  dataset: OpenedDataset,
  seed: number,
): Promise<GenerativeScore> {
  const real: Uint8Array[] = [];
  for await (const row of dataset.rows('test')) {
    real.push((row as ImageRow).pixels);
    if (real.length >= TWO_SAMPLE_SETTINGS.maxSamples) break;
  }
  if (real.length < TWO_SAMPLE_SETTINGS.minSamples) {
    // Undefined rather than absent, so a gate naming them fails with this reason.
    const reason = `the test split has ${real.length} images, fewer than the ${TWO_SAMPLE_SETTINGS.minSamples} the two-sample test needs`;
    const undefinedMetrics = Object.fromEntries(
      ['c2stAccuracy', 'c2stZ', 'c2stPValue', 'frechetDistance'].map((m) => [
        m,
        { code: 'too_few_samples' as const, reason },
      ]),
    );
    return {
      summary: { kind: 'generative', rows: real.length, metrics: {}, undefinedMetrics, curves: {} },
      note: `${reason}; see the training losses`,
    };
  }
  const { shape, images } = await model.generate(real.length, seed);
  const expected = dataset.metadata.imageShape;
  if (
    expected &&
    (expected.width !== shape.width ||
      expected.height !== shape.height ||
      expected.channels !== shape.channels)
  )
    return {
      summary: null,
      note: `the model generates ${shape.width}×${shape.height}×${shape.channels} images, the dataset holds ${expected.width}×${expected.height}×${expected.channels}: no two-sample test`,
    };
  const summary = await twoSampleSummary({ real, generated: images, shape, seed });
  return { summary, note: describeTwoSample(summary) };
}

/** The summary note: what the numbers mean, for the evaluation page. */
export function describeTwoSample(summary: EvaluationSummary): string {
  const {
    c2stAccuracy: accuracy,
    c2stZ: z,
    c2stSamples: n,
    frechetDistance: distance,
  } = summary.metrics as Record<string, number>;
  return (
    `classifier two-sample test (Lopez-Paz & Oquab 2017): a small cnn told ${n} generated images from ` +
    `${n} real test images with held-out accuracy ${accuracy!.toFixed(3)} ` +
    `(0.5: indistinguishable; z ${z!.toFixed(1)} against 0.5, standard error ${(0.5 / Math.sqrt(n!)).toFixed(3)}); ` +
    `Fréchet distance ${distance!.toPrecision(4)} over 7×7 pooled pixels and their statistics ` +
    `(the FID formula, not the Inception FID: lower is closer, comparable only on this dataset and n)`
  );
}
