import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../select-backend.ts';
import { stockKernel } from './register-kernels.ts';

// Deterministic pseudo-random inputs (mulberry32) so a failure reproduces.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomValues(size: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: size }, () => r() * 2 - 1);
}

/** Runs the stock cpu kernel (as shipped by tfjs) on cpu copies of the inputs. */
async function stockCpu(kernel: 'UnsortedSegmentSum' | 'Conv2DBackpropFilter', inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const cpuInputs: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) cpuInputs[k] = tf.tensor(v.dataSync(), v.shape, v.dtype);
  const backend = tf.backend() as unknown as KernelBackend;
  const out = stockKernel(kernel, 'cpu')!({ inputs: cpuInputs as unknown as Record<string, TensorInfo>, backend, attrs: attrs as never }) as TensorInfo;
  const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
  backend.disposeData(out.dataId, true);
  tf.dispose(Object.values(cpuInputs));
  return values;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(1e-5);
}

const segmentCases = [
  { n: 50, inner: [8], numSegments: 20 },
  { n: 257, inner: [3, 5], numSegments: 1000 },
  { n: 1, inner: [1], numSegments: 3 },
];
const convCases = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [3, 8, 7, 2], f: [3, 3, 2, 5], strides: 1, pad: 'same' },
  { x: [2, 10, 10, 4], f: [5, 5, 4, 3], strides: 2, pad: 'same' },
  { x: [4, 11, 9, 1], f: [2, 3, 1, 6], strides: [2, 1], pad: 'valid' },
  { x: [5, 1, 12, 6], f: [1, 3, 6, 4], strides: 1, pad: 'same' }, // a conv1d as tfjs lowers it
] as const;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Lathe kernels on ${backend} match the stock cpu kernels`, () => {
    beforeAll(async () => {
      await selectBackend({ prefer: backend });
    });

    it.each(segmentCases)('UnsortedSegmentSum n=$n inner=$inner segments=$numSegments', async ({ n, inner, numSegments }) => {
      const x = tf.tensor(randomValues(n * inner.reduce((a, b) => a * b, 1), n), [n, ...inner]);
      const r = random(n + 1);
      // Include ids outside [0, numSegments): TensorFlow drops them.
      const ids = tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(r() * (numSegments + 2)) - 1), 'int32');
      const expected = await stockCpu('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments });
      await tf.setBackend(backend);
      const out = tf.unsortedSegmentSum(x, ids, numSegments);
      expect(out.shape).toEqual([numSegments, ...inner]);
      expectClose(await out.data(), expected);
      tf.dispose([x, ids, out]);
    });

    it.each(convCases)('Conv2DBackpropFilter x=$x filter=$f strides=$strides pad=$pad', async ({ x: xShape, f, strides, pad }) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(randomValues(xShape.reduce((a: number, b: number) => a * b, 1), 7), [...xShape]);
      const probe = tf.conv2d(x, tf.zeros([...f]) as tf.Tensor4D, strides as [number, number], pad);
      const dy = tf.tensor4d(randomValues(probe.size, 11), probe.shape);
      const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [...f] };
      const expected = await stockCpu('Conv2DBackpropFilter', { x, dy }, attrs);
      await tf.setBackend(backend);
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
      expectClose(await out.data(), expected);
      tf.dispose([x, probe, dy, out]);
    });

    it('trains an embedding and a conv layer end to end (gradients flow through both kernels)', async () => {
      await tf.setBackend(backend);
      const table = tf.variable(tf.randomNormal([30, 4], 0, 1, 'float32', 1));
      const filter = tf.variable(tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 2));
      const ids = tf.tensor1d([1, 5, 5, 29], 'int32');
      const img = tf.randomNormal([2, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(tf.gather(table, ids))), tf.sum(tf.conv2d(img, filter as tf.Tensor4D, 1, 'same'))) as tf.Scalar);
      const tableGrad = await grads[table.name]!.array() as number[][];
      // d/dtable of Σ gather(table)² is 2·table·count(id).
      const tableValues = (await table.array()) as number[][];
      expect(tableGrad[5]![0]).toBeCloseTo(4 * tableValues[5]![0]!, 4);
      expect(tableGrad[0]![0]).toBe(0);
      expect(grads[filter.name]!.shape).toEqual([3, 3, 1, 2]);
      tf.dispose([table, filter, ids, img, ...Object.values(grads)]);
    });
  });
}
