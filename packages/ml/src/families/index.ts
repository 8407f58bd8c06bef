import type { ModelFamily } from '../hyperparameters.ts';
import { generativeDcgan } from './generative-dcgan.ts';
import { imageCnn } from './image-cnn.ts';
import { recommender } from './recommender.ts';
import { tabularMlp } from './tabular-mlp.ts';
import { textClassifier } from './text-classifier.ts';
import type { FamilyDefinition } from './types.ts';

/**
 * Every family by name. Each keeps its own preprocessing type; the map holds them as
 * FamilyDefinition (TypeScript compares methods' parameters bivariantly), which is sound
 * because the trainer and the loader only ever hand a family the preprocessing its own
 * `prepare` produced, or the bundle it trained stored.
 */
export const families: Record<ModelFamily, FamilyDefinition> = {
  mf: recommender('mf'),
  ncf: recommender('ncf'),
  cnn: imageCnn,
  'embedding-pool': textClassifier('embedding-pool'),
  cnn1d: textClassifier('cnn1d'),
  lstm: textClassifier('lstm'),
  gru: textClassifier('gru'),
  mlp: tabularMlp,
  dcgan: generativeDcgan,
};
