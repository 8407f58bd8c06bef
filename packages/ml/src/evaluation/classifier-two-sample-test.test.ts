import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.ts';
import { seededRandom } from '../random.ts';
import { syntheticImages } from '../testing/synthetic.ts';
import { classifierTwoSampleTest } from './classifier-two-sample-test.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

const shape = { width: 8, height: 8, channels: 1 };

describe('classifier two-sample test (Lopez-Paz & Oquab 2017)', () => {
  it('cannot tell two samples of one distribution apart: accuracy within 4 null standard errors of 0.5', async () => {
    const a = syntheticImages(400, 1).map((r) => r.pixels);
    const b = syntheticImages(400, 2).map((r) => r.pixels);
    const result = await classifierTwoSampleTest({ real: a, generated: b, shape, seed: 3 });
    expect(result.heldOut).toBe(400);
    expect(Math.abs(result.z)).toBeLessThan(4);
  }, 300_000);

  it('tells uniform noise from real images almost always', async () => {
    const real = syntheticImages(400, 1).map((r) => r.pixels);
    const random = seededRandom(9);
    const noise = real.map(() => Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256)));
    const result = await classifierTwoSampleTest({ real, generated: noise, shape, seed: 3 });
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(result.z).toBeGreaterThan(8);
  }, 300_000);
});
