/**
 * Augmentation with generated images: `count` images from a DCGAN model version (an
 * unconditional generator, so one trained on a single class's images) added to an image
 * classifier's training split, labelled with that class. They are generated once per run from
 * the run's seed (so a rerun trains on the same images) and spread evenly through the stream of
 * real rows, so that no shuffle buffer sees them in one block.
 */
import { ValidationError } from '@lathe/core';
import type { ImageRow, ImageShape } from '@lathe/contract';
import { type LoadedModel, loadModel } from '../inference/load-model.ts';

/** The `ganAugmentation` hyperparameter of the image family. */
export interface GanAugmentation {
  modelVersionId: string;
  label: string;
  count: number;
}

export async function generatedImages(
  generator: Pick<LoadedModel, 'generate' | 'signature'>,
  options: { label: string; count: number; seed: number; shape: ImageShape },
): Promise<ImageRow[]> {
  if (generator.signature.useCase !== 'generative')
    throw new ValidationError(
      `ganAugmentation.modelVersionId: a ${generator.signature.family} model cannot generate images; give a dcgan version`,
      { field: 'hyperparameters.ganAugmentation.modelVersionId' },
      'augmentation_not_generative',
    );
  const rows: ImageRow[] = [];
  for (let start = 0; start < options.count; start += 64) {
    const { shape, images } = await generator.generate(
      Math.min(64, options.count - start),
      options.seed + start,
    );
    if (
      shape.width !== options.shape.width ||
      shape.height !== options.shape.height ||
      shape.channels !== options.shape.channels
    )
      throw new ValidationError(
        `ganAugmentation.modelVersionId: the generator makes ${shape.height}×${shape.width}×${shape.channels} images; the dataset's are ${options.shape.height}×${options.shape.width}×${options.shape.channels}`,
        { field: 'hyperparameters.ganAugmentation.modelVersionId' },
        'augmentation_shape_mismatch',
      );
    rows.push(...images.map((pixels) => ({ label: options.label, pixels })));
  }
  return rows;
}

/** The real rows with `extra` spread evenly among them (one every ⌈realCount / extra⌉ rows, the rest at the end). */
export async function* withExtraRows<T>(
  rows: AsyncIterable<T>,
  extra: readonly T[],
  realCount: number,
): AsyncGenerator<T> {
  const every = Math.max(1, Math.ceil(realCount / Math.max(1, extra.length)));
  let i = 0;
  let next = 0;
  for await (const row of rows) {
    yield row;
    if (++i % every === 0 && next < extra.length) yield extra[next++]!;
  }
  while (next < extra.length) yield extra[next++]!;
}

/**
 * The images a run's `ganAugmentation` hyperparameter adds ([] without one): the train stage and
 * a reproduction of its run both call this, so a rerun trains on the same images. `loadBundle`
 * returns the named model version's bundle and its registered sha256 (verified here).
 */
export async function ganAugmentationRows(
  hyperparameters: unknown,
  options: {
    imageShape: ImageShape | undefined;
    seed: number;
    loadBundle(modelVersionId: string): Promise<{ bundle: Uint8Array; sha256: string }>;
  },
): Promise<ImageRow[]> {
  const augmentation = (hyperparameters as { ganAugmentation?: GanAugmentation } | null)?.ganAugmentation;
  if (augmentation === undefined || options.imageShape === undefined) return [];
  const { bundle, sha256 } = await options.loadBundle(augmentation.modelVersionId);
  const generator = await loadModel(bundle, { expectedSha256: sha256 });
  try {
    return await generatedImages(generator, {
      label: augmentation.label,
      count: augmentation.count,
      seed: options.seed,
      shape: options.imageShape,
    });
  } finally {
    generator.dispose();
  }
}
