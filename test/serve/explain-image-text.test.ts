/**
 * POST /v1/endpoints/:endpoint/explain for image and text models on the real gateway app: an
 * image CNN's answer is an integrated-gradients attribution map from a black image whose sum is
 * the probability's change (completeness, within the reported gap), at the documented cost of
 * steps + 2 images; a text classifier trained where only a planted token (`splendid`) tells the
 * classes apart ranks that token first, at a cost of tokens + 2 texts. Requests that do not fit
 * the model are refused by field.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { explainResponseSchema, type TextRow } from '@lathe/contract';
import { seededRandom } from '@lathe/ml';
import { syntheticImages } from '../../packages/ml/src/testing/synthetic.ts';
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = any;

async function explain(endpoint: string, body: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${base}/v1/endpoints/${endpoint}/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Only `splendid` tells the classes apart; every other word is shared filler. */
function plantedReviews(n: number, seed: number): TextRow[] {
  const r = seededRandom(seed);
  const filler = ['the', 'box', 'came', 'on', 'tuesday', 'with', 'a', 'note', 'and', 'tape'];
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 6 }, () => filler[Math.floor(r() * filler.length)]!);
    if (i % 2 === 0) words.splice(Math.floor(r() * 6), 0, 'splendid');
    return { text: words.join(' '), label: i % 2 === 0 ? 'pos' : 'neg' };
  });
}

beforeAll(async () => {
  db = await createTestDatabase('explain_image_text');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-explain-image-text-'));
  const store = new LocalArtifactStore(storeDir);
  const images = syntheticImages(300, 1);
  await deployTrained(db.registry, store, 'shapes', {
    family: 'cnn',
    hyperparameters: { epochs: 3, batchSize: 32, depth: 1, width: 4, hiddenUnits: 16, learningRate: 0.01 },
    seed: 1,
    dataset: { useCase: 'image', imageShape: { width: 8, height: 8, channels: 1 } },
    trainRows: async function* () {
      yield* images;
    },
  });
  const reviews = plantedReviews(400, 4);
  await deployTrained(db.registry, store, 'reviews', {
    family: 'embedding-pool',
    hyperparameters: {
      epochs: 8,
      batchSize: 32,
      embeddingDim: 8,
      hiddenUnits: 8,
      maxLength: 16,
      learningRate: 0.02,
    },
    seed: 5,
    dataset: { useCase: 'nlp' },
    trainRows: async function* () {
      yield* reviews;
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

describe('POST /v1/endpoints/:endpoint/explain for images and text', () => {
  it('answers an image an attribution map whose sum is the probability’s change from black', async () => {
    const [image] = syntheticImages(1, 9);
    const response = await explain('shapes', { instance: { pixels: Array.from(image!.pixels) }, steps: 64 });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(explainResponseSchema.parse(body).method).toBe('integrated_gradients'); // the contract's shape
    expect(body).toMatchObject({
      endpoint: 'shapes',
      method: 'integrated_gradients',
      baseline: 'black',
      label: image!.label,
      steps: 64,
      evaluations: 66,
      shape: { width: 8, height: 8, channels: 1 },
    });
    expect(body.attributions).toHaveLength(64);
    expect(body.map).toHaveLength(64);
    const sum = (body.attributions as number[]).reduce((a, b) => a + b, 0);
    const change = body.probability - body.baselineProbability;
    expect(Math.abs(change)).toBeGreaterThan(0.2);
    expect(Math.abs(sum - change)).toBeCloseTo(body.completenessGap, 6);
    expect(body.completenessGap).toBeLessThan(0.02);
  });

  it('ranks the planted sentiment token first in a text explanation', async () => {
    const response = await explain('reviews', { instance: { text: 'The note came SPLENDID with tape' } });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(explainResponseSchema.parse(body).method).toBe('token_occlusion');
    expect(body).toMatchObject({ method: 'token_occlusion', label: 'pos', evaluations: 6 + 2 });
    expect(body.contributions[0]).toMatchObject({ token: 'splendid', index: 3 });
    expect(body.contributions[0].contribution).toBeGreaterThan(0.3);
  });

  it('refuses what does not fit the model, by field', async () => {
    const wrongSize = await explain('shapes', { instance: { pixels: [1, 2, 3] } });
    expect(wrongSize.status).toBe(422);
    expect(wrongSize.body.code).toBe('invalid_instances');
    const textToImage = await explain('shapes', { instance: { text: 'hello' } });
    expect(textToImage.status).toBe(422);
    const tooManySteps = await explain('shapes', {
      instance: { pixels: new Array(64).fill(0) },
      steps: 1000,
    });
    expect(tooManySteps.status).toBe(422);
    expect(JSON.stringify(tooManySteps.body)).toContain('steps');
    const baseline = await explain('reviews', {
      instance: { text: 'splendid' },
      baseline: { features: {} },
    });
    expect(baseline.status).toBe(422);
    expect(baseline.body.code).toBe('baseline_unsupported');
    const badLabel = await explain('reviews', { instance: { text: 'splendid' }, label: 'meh' });
    expect(badLabel.body.code).toBe('unknown_label');
  });
});
