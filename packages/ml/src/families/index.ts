import type { ModelFamily } from '../hyperparameters.ts';
import { generativeDcgan } from './generative-dcgan.ts';
import { imageCnn } from './image-cnn.ts';
import { recommender } from './recommender.ts';
import { tabularMlp } from './tabular-mlp.ts';
import { textClassifier } from './text-classifier.ts';
import type { FamilyDefinition } from './types.ts';

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
