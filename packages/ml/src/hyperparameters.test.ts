import { describe, expect, it } from 'vitest';
import { ValidationError } from '@lathe/core';
import { listModelFamilies, parseHyperparameters } from './hyperparameters.ts';

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('parseHyperparameters', () => {
  it('fills defaults per family', () => {
    expect(parseHyperparameters('mf', {}).embeddingDim).toBe(16);
    expect(parseHyperparameters('dcgan', {}).momentum).toBe(0.5);
    expect(listModelFamilies().map((f) => f.family)).toContain('lstm');
  });

  it.each([
    ['cnn', { learningRate: -0.1 }, 'hyperparameters.learningRate: must be > 0'],
    [
      'cnn',
      { optimizer: 'adagrad' },
      'hyperparameters.optimizer: must be one of sgd, momentum, adam, rmsprop',
    ],
    ['ncf', { embeddingDim: 0 }, 'hyperparameters.embeddingDim: must be ≥ 1'],
    ['lstm', { units: 2.5 }, 'hyperparameters.units: must be an integer'],
    ['mlp', { hiddenUnits: [16, 0] }, 'hyperparameters.hiddenUnits.1: must be ≥ 1'],
    ['mf', { learningrate: 0.1 }, 'hyperparameters: unknown field(s) learningrate'],
    ['cnn', { dropout: 1 }, 'hyperparameters.dropout: must be < 1'],
  ])('%s %j → %s', (family, input, message) => {
    const error = errorOf(() => parseHyperparameters(family, input));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('invalid_hyperparameters');
    expect(error.message).toContain(message);
  });

  it('refuses an unknown family, naming it', () => {
    const error = errorOf(() => parseHyperparameters('transformer', {}));
    expect(error.code).toBe('unknown_model_family');
    expect(error.message).toContain('"transformer"');
  });
});
