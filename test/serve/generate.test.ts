/**
 * POST /v1/endpoints/:endpoint/generate on the real gateway app: a DCGAN trained on small
 * synthetic images and deployed directly generates n images of its shape as pixels; the same
 * seed gives the same images, another seed others; a request for too many, or to a
 * non-generative endpoint, is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
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

async function generate(body: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${base}/v1/endpoints/sketches/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  db = await createTestDatabase('generate');
  storeDir = await mkdtemp(join(tmpdir(), 'lathe-generate-'));
  const store = new LocalArtifactStore(storeDir);
  const rows = syntheticImages(128, 7, 8);
  await deployTrained(db.registry, store, 'sketches', {
    family: 'dcgan',
    hyperparameters: {
      epochs: 2,
      batchSize: 32,
      latentDim: 8,
      width: 4,
      sampleCount: 4,
      learningRate: 0.002,
    },
    seed: 4,
    dataset: { useCase: 'generative', imageShape: { width: 8, height: 8, channels: 1 } },
    trainRows: async function* () {
      yield* rows;
    },
  });
  gateway = await startInProcessGateway(db.registry, store, 'generate viewer');
  ({ url: base, key } = gateway);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
  await rm(storeDir, { recursive: true, force: true });
});

describe('POST /v1/endpoints/:endpoint/generate', () => {
  it('generates n seeded images of the model shape', async () => {
    const first = await generate({ n: 3, seed: 11 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      endpoint: 'sketches',
      seed: 11,
      shape: { width: 8, height: 8, channels: 1 },
    });
    const images = first.body.images as { pixels: number[] }[];
    expect(images).toHaveLength(3);
    for (const image of images) {
      expect(image.pixels).toHaveLength(64);
      expect(image.pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    }
    const again = await generate({ n: 3, seed: 11 });
    expect(again.body.images).toEqual(first.body.images);
    const other = await generate({ n: 3, seed: 12 });
    expect(other.body.images).not.toEqual(first.body.images);
  });

  it('refuses more than 64 images, and an endpoint nothing serves', async () => {
    const tooMany = await generate({ n: 65 });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.body)).toContain('body.n');
    const response = await fetch(`${base}/v1/endpoints/nothing-here/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ n: 1 }),
    });
    expect(response.status).toBe(404);
  });
});
