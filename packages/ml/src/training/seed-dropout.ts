/**
 * Dropout that a run's seed decides. tfjs draws a Dropout layer's mask from `Math.random` when
 * the layer has no seed, and from the SAME stream on every call when it has one (tf.dropout
 * reseeds its generator per call), so neither gives a reproducible run with fresh masks.
 * Before each training step the trainer gives every dropout layer a new seed drawn from the
 * epoch's seeded stream: masks differ from step to step, and a rerun draws the same ones.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.ts';

/** The field tfjs' Dropout layer reads at call time (declared private in its typings). */
interface SeedableDropout {
  seed?: number;
}

function dropoutLayers(model: tf.LayersModel): SeedableDropout[] {
  // Why the cast: tfjs does not export its Dropout layer class; the layers filtered by class name have its `rate` and `seed`.
  return model.layers.filter((layer) => layer.getClassName() === 'Dropout') as unknown as SeedableDropout[];
}

/** Returns a function that reseeds the model's dropout layers for the next training step. */
export function dropoutReseeder(...models: tf.LayersModel[]): (random: Random) => void {
  const layers = models.flatMap(dropoutLayers);
  return (random) => {
    for (const layer of layers) layer.seed = Math.floor(random() * 2 ** 31);
  };
}

/** Clears the per-step seeds so a saved model.json carries no training-time seed. */
export function clearDropoutSeeds(...models: tf.LayersModel[]): void {
  for (const layer of models.flatMap(dropoutLayers)) delete layer.seed;
}
