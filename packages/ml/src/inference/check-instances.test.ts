import { describe, expect, it } from 'vitest';
import type { ModelSignature } from '../families/types.ts';
import { checkInstances } from './check-instances.ts';

const model = (
  useCase: ModelSignature['useCase'],
  inputs: ModelSignature['inputs'] = [],
  preprocessing: Record<string, unknown> = {},
) => ({
  signature: { useCase, family: 'mlp', inputs, outputs: [] } as ModelSignature,
  preprocessing,
});

describe('checkInstances', () => {
  it('tabular: numbers where the model was trained on numbers, strings for categories, missing values as null', () => {
    const churn = model('tabular', [
      { name: 'tenure', type: 'number | null', description: '' },
      { name: 'plan', type: 'string | null', description: '' },
    ]);
    expect(
      checkInstances(churn, [
        { features: { tenure: 3, plan: 'pro' } },
        { features: { tenure: null, plan: null } },
      ]),
    ).toEqual([]);
    expect(
      checkInstances(churn, [{ features: { tenure: 3 } }, { features: { tenure: 3, plna: 'pro' } }]),
    ).toEqual([
      {
        index: 0,
        path: 'features.plan',
        message: 'missing feature column `plan` (send null for a missing value)',
      },
      {
        index: 1,
        path: 'features.plna',
        message: 'unknown feature column `plna`; the model reads `tenure`, `plan`',
      },
      {
        index: 1,
        path: 'features.plan',
        message: 'missing feature column `plan` (send null for a missing value)',
      },
    ]);
    expect(checkInstances(churn, [{ features: { tenure: 'three', plan: 7 } }, { tenure: 3 }, 'row'])).toEqual(
      [
        { index: 0, path: 'features.tenure', message: 'expected a finite number (or null); got "three"' },
        { index: 0, path: 'features.plan', message: 'expected a string (or null); got 7' },
        { index: 1, path: 'features', message: 'expected an object of feature values' },
        { index: 2, path: '', message: 'expected an object' },
      ],
    );
  });

  it('tabular: an integer-coded category takes its code as a number or a string', () => {
    const segments = model('tabular', [{ name: 'SEGMENT', type: 'string | number | null', description: '' }]);
    expect(checkInstances(segments, [{ features: { SEGMENT: 3 } }, { features: { SEGMENT: '3' } }])).toEqual(
      [],
    );
    expect(checkInstances(segments, [{ features: { SEGMENT: true } }])).toEqual([
      {
        index: 0,
        path: 'features.SEGMENT',
        message: 'expected a string or a finite number (or null); got true',
      },
    ]);
  });

  it('image: the size the model was trained on, byte values', () => {
    const digits = model('image', [], { shape: { height: 2, width: 2, channels: 1 } });
    expect(checkInstances(digits, [{ pixels: [0, 255, 10, 3] }])).toEqual([]);
    expect(
      checkInstances(digits, [{ pixels: [0, 1, 2] }, { pixels: [0, 1, 2, 300] }, { pixels: 'x' }]).map(
        (p) => [p.index, p.path],
      ),
    ).toEqual([
      [0, 'pixels'],
      [1, 'pixels.3'],
      [2, 'pixels'],
    ]);
  });

  it('text and recommendation: the fields their families read', () => {
    expect(
      checkInstances(model('nlp'), [{ text: 'great product' }, { text: 5 }]).map((p) => [p.index, p.path]),
    ).toEqual([[1, 'text']]);
    expect(
      checkInstances(model('recommendation'), [{ user: 'u1', item: 'i9' }, { user: 'u1' }]).map((p) => [
        p.index,
        p.path,
      ]),
    ).toEqual([[1, 'item']]);
  });

  it('stops at the limit', () => {
    expect(
      checkInstances(
        model('nlp'),
        Array.from({ length: 50 }, () => ({})),
        5,
      ),
    ).toHaveLength(5);
  });
});
