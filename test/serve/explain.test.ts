/**
 * POST /v1/endpoints/:endpoint/explain on the real gateway app: a tabular model trained on rows
 * where only `a` and `b` decide the target, deployed directly, explains one prediction; the
 * contributions sum to the probability's change from the baseline, `a` and `b` carry it, and the
 * cost is the documented orderings × (features + 1) rows. Bad requests are refused by field.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { explainResponseSchema } from '@lathe/contract';
import { seededRandom } from '@lathe/ml';
import {
  createTestDatabase,
  deployTrained,
  startInProcessGateway,
  type InProcessGateway,
  type TestDatabase,
} from '../harness/index.ts';

let db: TestDatabase;
let storeDir: string;
let base: string;
let key: string;
let gateway: InProcessGateway | undefined;

function knownFeatures(n: number, seed: number) {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const f = { a: r() * 2 - 1, b: r() * 2 - 1, noise1: r() * 2 - 1, noise2: r() * 2 - 1 };
    return { features: f, target: 2 * f.a - 1.5 * f.b > 0 ? 'yes' : 'no' };
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = any;

async function explain(body: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${base}/v1/endpoints/scoring/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  db = await createTestDatabase('explain');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-explain-'));
  const store = new LocalArtifactStore(storeDir);
  const rows = knownFeatures(800, 1);
  await deployTrained(db.registry, store, 'scoring', {
    family: 'mlp',
    hyperparameters: { epochs: 15, batchSize: 32, hiddenUnits: [16], learningRate: 0.02 },
    seed: 2,
    dataset: { useCase: 'tabular', labels: ['no', 'yes'] },
    trainRows: async function* () {
      yield* rows;
    },
  });
  gateway = await startInProcessGateway(db.registry, store, 'explain viewer');
  ({ url: base, key } = gateway);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
  await rm(storeDir, { recursive: true, force: true });
});

describe('POST /v1/endpoints/:endpoint/explain', () => {
  it("attributes one prediction to its features, summing to the probability's change", async () => {
    const response = await explain({
      instance: { features: { a: 0.5, b: -0.5, noise1: 0.4, noise2: -0.4 } },
      baseline: { features: { a: -0.5, b: 0.5, noise1: 0, noise2: 0 } },
      orderings: 10,
      seed: 3,
    });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(explainResponseSchema.parse(body).method).toBe('shapley_sampling'); // the contract's shape
    expect(body).toMatchObject({ endpoint: 'scoring', label: 'yes', evaluations: 10 * 5 });
    expect(body.probability).toBeGreaterThan(0.9);
    expect(body.baselineProbability).toBeLessThan(0.1);
    const contributions = body.contributions as { feature: string; contribution: number }[];
    expect(
      contributions
        .slice(0, 2)
        .map((c) => c.feature)
        .sort(),
    ).toEqual(['a', 'b']);
    const sum = contributions.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(body.probability - body.baselineProbability, 6);
  });

  it('defaults the baseline to every feature missing (the training means) and refuses bad requests', async () => {
    const defaulted = await explain({ instance: { features: { a: 0.8, b: -0.6, noise1: 0, noise2: 0 } } });
    expect(defaulted.status).toBe(200);
    expect(defaulted.body.evaluations).toBe(16 * 5);
    const tooMany = await explain({ instance: { features: { a: 1 } }, orderings: 1000 });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.body)).toContain('orderings');
    const badLabel = await explain({
      instance: { features: { a: 1, b: 0, noise1: 0, noise2: 0 } },
      label: 'maybe',
    });
    expect(badLabel.status).toBe(422);
    expect(badLabel.body.code).toBe('unknown_label');
  });
});
