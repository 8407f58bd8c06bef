/**
 * The model-family catalogue through the real API: every family with its use case, defaults
 * and a description of each hyperparameter; the OpenAPI document's family schemas carry the
 * same descriptions; a misspelt hyperparameter is refused listing the valid names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyperparameterSchemas, parseHyperparameters } from '../../packages/ml/src/hyperparameters.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('model-families', {}, { validateHyperparameters: parseHyperparameters });
}, 60_000);
afterAll(() => api?.close());

describe('GET /model-families', () => {
  it('lists every family with its use case, defaults and a described schema for each hyperparameter', async () => {
    const response = await api.request('GET', '/model-families', { key: api.keys.viewer });
    expect(response.status).toBe(200);
    const families = response.body.items as Array<{
      family: string;
      useCase: string;
      description: string;
      defaults: Record<string, unknown>;
      hyperparameters: Array<{ name: string; description: string; default?: unknown; schema: object }>;
    }>;
    expect(families.map((f) => f.family).sort()).toEqual(Object.keys(hyperparameterSchemas).sort());
    for (const family of families) {
      const names = Object.keys(
        hyperparameterSchemas[family.family as keyof typeof hyperparameterSchemas].shape,
      );
      expect(family.hyperparameters.map((h) => h.name)).toEqual(names);
      for (const field of family.hyperparameters) {
        expect(field.description, `${family.family}.${field.name}`).not.toBe('');
        if ('default' in field) expect(field.default).toEqual(family.defaults[field.name]);
      }
    }
    const mlp = families.find((f) => f.family === 'mlp')!;
    expect(mlp.useCase).toBe('tabular');
    expect(mlp.defaults).toMatchObject({ epochs: 20, hiddenUnits: [64, 32], classWeights: 'none' });
    expect(mlp.hyperparameters.find((h) => h.name === 'classWeights')).toMatchObject({
      default: 'none',
      description: expect.stringMatching(/^none, balanced/),
    });
    expect(mlp.hyperparameters.find((h) => h.name === 'earlyStopping')!.schema).toMatchObject({
      anyOf: expect.arrayContaining([
        expect.objectContaining({
          properties: expect.objectContaining({
            patience: expect.objectContaining({
              default: 3,
              description: expect.stringMatching(/^epochs without improvement/),
            }),
          }),
        }),
      ]),
    });
  });

  it('filters by use case', async () => {
    const response = await api.request('GET', '/model-families?useCase=nlp', { key: api.keys.viewer });
    expect(response.body.items.map((f: { family: string }) => f.family)).toEqual([
      'embedding-pool',
      'cnn1d',
      'lstm',
      'gru',
    ]);
  });

  it('the OpenAPI document carries each family schema with the same field descriptions', async () => {
    const document = (await api.request('GET', '/openapi.json', { key: null })).body;
    const mlp = document.components.schemas.MlpHyperparameters;
    const catalogue = (await api.request('GET', '/model-families?useCase=tabular', { key: api.keys.viewer }))
      .body.items[0];
    for (const field of catalogue.hyperparameters)
      expect(mlp.properties[field.name].description, field.name).toBe(field.description);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['MfHyperparameters', 'EmbeddingPoolHyperparameters', 'DcganHyperparameters']),
    );
  });
});

describe('a misspelt hyperparameter', () => {
  it('is refused naming the field it probably meant and every valid one', async () => {
    const dataset = await api.request('POST', '/datasets', {
      key: api.keys.editor,
      body: { name: 'churn', useCase: 'tabular' },
    });
    const response = await api.request('POST', '/experiments', {
      key: api.keys.editor,
      body: {
        name: 'churn-mlp',
        useCase: 'tabular',
        modelFamily: 'mlp',
        datasetId: dataset.body.id,
        hyperparameters: { classWeight: 'balanced' },
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('invalid_hyperparameters');
    expect(response.body.errors).toEqual([
      {
        field: 'body.hyperparameters',
        message: `unknown field classWeight (did you mean classWeights?); valid: ${Object.keys(hyperparameterSchemas.mlp.shape).join(', ')}`,
      },
    ]);
  });
});
