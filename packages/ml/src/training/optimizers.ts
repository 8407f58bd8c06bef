/** Optimisers and learning-rate schedules, driven by validated hyperparameters. */
import * as tf from '@tensorflow/tfjs';
import type { CommonHyperparameters } from '../hyperparameters.ts';

type Schedule = CommonHyperparameters['lrSchedule'];

export function createOptimizer(
  hp: Pick<CommonHyperparameters, 'optimizer' | 'learningRate' | 'momentum'>,
): tf.Optimizer {
  switch (hp.optimizer) {
    case 'sgd':
      return tf.train.sgd(hp.learningRate);
    case 'momentum':
      return tf.train.momentum(hp.learningRate, hp.momentum);
    case 'adam':
      // `momentum` is Adam's β1 (Kingma & Ba 2015); 0.9 is their default, 0.5 suits GANs.
      return tf.train.adam(hp.learningRate, hp.momentum, 0.999);
    case 'rmsprop':
      // `momentum` is the decay ρ of the squared-gradient average (Hinton, lecture 6e).
      return tf.train.rmsprop(hp.learningRate, hp.momentum);
  }
}

/** The learning rate for a 0-based epoch. */
export function learningRateAt(base: number, schedule: Schedule, epoch: number, epochs: number): number {
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(epoch / schedule.stepSize);
    case 'exponential':
      return base * schedule.gamma ** epoch;
    case 'cosine': {
      // Cosine annealing (Loshchilov & Hutter 2017, SGDR, without restarts).
      const min = Math.min(schedule.minLearningRate, base);
      return min + ((base - min) * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)))) / 2;
    }
  }
}

/** tfjs optimisers read their rate on every step; SGD and momentum cache it in a scalar. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // Not `instanceof`: tfjs optimisers override Symbol.hasInstance (an Adam "is" an SGDOptimizer).
  const sgd = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(learningRate);
  // Why the cast: tfjs optimisers expose the learning rate differently (a setter on SGD, a field on the others), none on Optimizer's type.
  else (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
