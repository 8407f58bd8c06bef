/**
 * Integer-coded categories end to end without the queues: the committed customers sample
 * ingested with SEGMENT and REGION declared categorical, a real (small) mlp trained on it, and
 * the trained model read back: the codes are one-hot columns, not standardised numbers, and a
 * gateway-style request may send a code as the number 3 or the string "3" for the same answer.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { createDatasetAccess, ingestToArtifacts } from '@lathe/data';
import { checkInstances, loadModel, selectBackend, train } from '@lathe/ml';

const customers = fileURLToPath(new URL('../fixtures/analyst/customers.csv', import.meta.url));

let dir: string;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lathe-declared-categoricals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('declared categoricals in training and serving', () => {
  it('one-hot encodes the declared codes and serves them as numbers or strings', async () => {
    const store = new LocalArtifactStore(join(dir, 'store'));
    const ingested = await ingestToArtifacts(
      {
        useCase: 'tabular',
        source: { kind: 'stream', stream: createReadStream(customers), format: 'csv', name: 'customers.csv' },
        columnMap: { target: 'CHURNED' },
        columnTypes: { SEGMENT: 'categorical', REGION: 'categorical', CUSTOMER_ID: 'id' },
        split: { strategy: 'stratified' },
      },
      { store },
    );
    const dataset = await createDatasetAccess(store).open(ingested);
    const result = await train({
      family: 'mlp',
      hyperparameters: { epochs: 3, hiddenUnits: [8] },
      seed: 11,
      dataset: dataset.metadata,
      trainRows: () => dataset.rows('train'),
      validationRows: () => dataset.rows('validation'),
    });
    const model = await loadModel(result.buffer);
    try {
      const inputs = Object.fromEntries(model.signature.inputs.map((i) => [i.name, i]));
      // The id column is no input; the codes are categories of their 12 and 5 values.
      expect(Object.keys(inputs)).toEqual(
        expect.arrayContaining([
          'SEGMENT',
          'REGION',
          'TENURE_MONTHS',
          'MONTHLY_SPEND',
          'SUPPORT_CALLS',
          'AGE',
        ]),
      );
      expect(inputs).not.toHaveProperty('CUSTOMER_ID');
      expect(inputs.SEGMENT).toMatchObject({
        type: 'string | number | null',
        description: 'one-hot, 12 known values; others share one slot',
      });
      expect(inputs.REGION!.description).toBe('one-hot, 5 known values; others share one slot');
      expect(inputs.TENURE_MONTHS!.type).toBe('number | null');

      const customer = { REGION: 4, TENURE_MONTHS: 3, MONTHLY_SPEND: 80, SUPPORT_CALLS: 4, AGE: 40 };
      const asNumber = { features: { ...customer, SEGMENT: 3 } };
      const asString = { features: { ...customer, SEGMENT: '3', REGION: '4' } };
      expect(checkInstances(model, [asNumber, asString])).toEqual([]);
      const [byNumber, byString, otherSegment] = await model.predict([
        asNumber,
        asString,
        { features: { ...customer, SEGMENT: 4 } },
      ]);
      expect(byNumber!.probabilities).toEqual(byString!.probabilities);
      // Segment 3 and segment 4 are separate one-hot slots, not neighbouring numbers.
      expect(byNumber!.probabilities).not.toEqual(otherSegment!.probabilities);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
