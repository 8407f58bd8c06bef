import { describe, expect, it } from 'vitest';
import { ValidationError } from '@lathe/core';
import { hyperparameterSchemas, listModelFamilies, parseHyperparameters } from './hyperparameters.ts';

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
    [
      'mf',
      { learningrate: 0.1 },
      'hyperparameters: unknown field learningrate (did you mean learningRate?); valid: epochs, batchSize, learningRate,',
    ],
    [
      'mlp',
      { classWeight: 'balanced', hidden: [8] },
      'hyperparameters: unknown fields classWeight (did you mean classWeights?), hidden; valid: epochs,',
    ],
    [
      'mlp',
      { earlyStopping: { patienc: 2 } },
      'hyperparameters.earlyStopping: unknown field patienc (did you mean patience?); valid: metric, mode, patience, minDelta',
    ],
    [
      'mlp',
      { lrSchedule: { type: 'step', stepSize: 2, gamma: 0.5, gama: 1 } },
      'hyperparameters.lrSchedule: unknown field gama (did you mean gamma?); valid: type, stepSize, gamma',
    ],
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

describe('listModelFamilies', () => {
  it('lists every family with a description, defaults and a described schema for each field', () => {
    const families = listModelFamilies();
    expect(families.map((f) => f.family).sort()).toEqual(Object.keys(hyperparameterSchemas).sort());
    for (const entry of families) {
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.hyperparameters.map((f) => f.name)).toEqual(
        Object.keys(hyperparameterSchemas[entry.family].shape),
      );
      for (const field of entry.hyperparameters) {
        expect(field.description, `${entry.family}.${field.name}`).toMatch(/^\S.{5,}/);
        expect(field.schema.description).toBe(field.description);
      }
    }
  });

  it('shows each default as the schema fills it, and the bounds of each field', () => {
    const mlp = listModelFamilies().find((f) => f.family === 'mlp')!;
    expect(mlp.useCase).toBe('tabular');
    expect(mlp.defaults).toEqual(parseHyperparameters('mlp', {}));
    const hiddenUnits = mlp.hyperparameters.find((f) => f.name === 'hiddenUnits')!;
    expect(hiddenUnits).toMatchObject({ default: [64, 32], description: 'sizes of the hidden layers' });
    expect(hiddenUnits.schema).toMatchObject({ type: 'array', maxItems: 8, items: { minimum: 1 } });
    // A field that is unset unless given has no default to show.
    const implicit = listModelFamilies()
      .find((f) => f.family === 'mf')!
      .hyperparameters.find((f) => f.name === 'implicit')!;
    expect(implicit).not.toHaveProperty('default');
  });
});
