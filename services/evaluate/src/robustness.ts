/**
 * Robustness in evaluation: accuracy of the model on perturbed copies of (a sample of) its test
 * split, and the drop from clean accuracy. Returned as metrics (`accuracyGaussianNoise`,
 * `robustnessDropGaussianNoise`, …) so they are stored, shown and usable as gate thresholds
 * like any other metric (`{"metric": "robustnessDropOcclusion", "op": "<=", "value": 0.1}`).
 *   - images: Gaussian pixel noise (σ = 0.1 of the pixel range, clipped) and a centred square
 *     occlusion (half the width and height, set to 0);
 *   - text: token dropout (each token removed with probability 0.2);
 *   - tabular: Gaussian noise on numeric features (σ = 0.1 of each column's std in the sample).
 *   - images and tabular (differentiable classifiers): FGSM adversarial examples (@lathe/ml
 *     fgsmAccuracy, Goodfellow et al. 2015) at a stated ε in the model's input scale: images
 *     ε = 0.1 of the pixel range [0, 1] (about 25 grey levels, L∞), tabular ε = 0.1 standard
 *     deviation on each numeric feature; stored as `accuracyFgsm`, `robustnessDropFgsm` and the
 *     ε used as `fgsmEpsilon`.
 * Perturbations are seeded (the run's seed), so a rerun gives the same numbers; FGSM has no
 * randomness.
 */
import type { ImageRow, OpenedDataset, TabularRow, TextRow } from '@lathe/contract';
import { type LoadedModel, fgsmAccuracy, seededRandom, tokenize } from '@lathe/ml';

export const ROBUSTNESS_SETTINGS = {
  maxRows: 1000,
  gaussianSigma: 0.1,
  occlusionFraction: 0.5,
  tokenDropout: 0.2,
  /** FGSM's L∞ step in the model's input scale (images: pixel / 255; tabular: feature std). */
  fgsmEpsilon: { image: 0.1, tabular: 0.1 },
} as const;

type Labelled = { label?: string; target?: string | number };

/** Standard normal by Box–Muller from a seeded uniform stream. */
function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

async function accuracy(model: LoadedModel, rows: Labelled[]): Promise<number> {
  const predictions: { label?: string }[] = [];
  for (let i = 0; i < rows.length; i += 256)
    predictions.push(...(await model.predict(rows.slice(i, i + 256))));
  return (
    predictions.filter((p, i) => p.label === String(rows[i]!.label ?? rows[i]!.target)).length / rows.length
  );
}

export function gaussianPixels(row: ImageRow, sigma: number, random: () => number): ImageRow {
  const pixels = Uint8Array.from(row.pixels, (v) =>
    Math.min(255, Math.max(0, Math.round(v + sigma * 255 * gaussian(random)))),
  );
  return { ...row, pixels };
}

export function occludeCentre(
  row: ImageRow,
  shape: { width: number; height: number; channels: number },
  fraction: number,
): ImageRow {
  const pixels = Uint8Array.from(row.pixels);
  const w = Math.round(shape.width * fraction);
  const h = Math.round(shape.height * fraction);
  const x0 = Math.floor((shape.width - w) / 2);
  const y0 = Math.floor((shape.height - h) / 2);
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++)
      for (let c = 0; c < shape.channels; c++) pixels[(y * shape.width + x) * shape.channels + c] = 0;
  return { ...row, pixels };
}

export function dropTokens(row: TextRow, p: number, random: () => number): TextRow {
  return {
    ...row,
    text: tokenize(row.text)
      .filter(() => random() >= p)
      .join(' '),
  };
}

export async function robustnessMetrics(
  model: LoadedModel,
  dataset: OpenedDataset,
  useCase: string,
  seed: number,
): Promise<Record<string, number>> {
  if (useCase !== 'image' && useCase !== 'nlp' && useCase !== 'tabular') return {};
  const rows: Labelled[] = [];
  for await (const row of dataset.rows('test')) {
    rows.push(row as Labelled);
    if (rows.length >= ROBUSTNESS_SETTINGS.maxRows) break;
  }
  if (rows.length === 0) return {};
  const clean = await accuracy(model, rows);
  const out: Record<string, number> = {};
  const record = (name: string, value: number) => {
    out[`accuracy${name}`] = value;
    out[`robustnessDrop${name}`] = clean - value;
  };
  const random = seededRandom(seed);
  const s = ROBUSTNESS_SETTINGS;
  if (useCase === 'image') {
    const shape = dataset.metadata.imageShape!;
    const images = rows as ImageRow[];
    record(
      'GaussianNoise',
      await accuracy(
        model,
        images.map((r) => gaussianPixels(r, s.gaussianSigma, random)),
      ),
    );
    record(
      'Occlusion',
      await accuracy(
        model,
        images.map((r) => occludeCentre(r, shape, s.occlusionFraction)),
      ),
    );
  } else if (useCase === 'nlp') {
    record(
      'TokenDropout',
      await accuracy(
        model,
        (rows as TextRow[]).map((r) => dropTokens(r, s.tokenDropout, random)),
      ),
    );
  } else {
    const tabular = rows as TabularRow[];
    const std = new Map<string, number>();
    for (const name of new Set(tabular.flatMap((r) => Object.keys(r.features)))) {
      const values = tabular.map((r) => r.features[name]).filter((v): v is number => typeof v === 'number');
      if (values.length < 2) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      std.set(name, Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)));
    }
    const noisy = tabular.map((r) => ({
      ...r,
      features: Object.fromEntries(
        Object.entries(r.features).map(([k, v]) => [
          k,
          typeof v === 'number' && std.has(k) ? v + s.gaussianSigma * std.get(k)! * gaussian(random) : v,
        ]),
      ),
    }));
    record('GaussianNoise', await accuracy(model, noisy));
  }
  if (model.differentiable && useCase !== 'nlp') {
    const epsilon = s.fgsmEpsilon[useCase];
    const fgsm = await fgsmAccuracy(model.differentiable, rows, (r) => String(r.label ?? r.target), [
      epsilon,
    ]);
    record('Fgsm', fgsm.byEpsilon[0]!.accuracy);
    out.fgsmEpsilon = epsilon;
  }
  return out;
}
