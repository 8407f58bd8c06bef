import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@lathe/core';
import { selectBackend } from '../select-backend.ts';
import type { LatheKernelName } from './register-kernels.ts';
import { stockKernel } from './register-kernels.ts';

function randomValues(size: number, seed: number): Float32Array {
  // Deterministic pseudo-random inputs, so a failure reproduces.
  const r = mulberry32(seed);
  return Float32Array.from({ length: size }, () => r() * 2 - 1);
}

/** Runs the stock cpu kernel (as shipped by tfjs) on cpu copies of the inputs. */
async function stockCpu(
  kernel: LatheKernelName,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown>,
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const cpuInputs: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) cpuInputs[k] = tf.tensor(v.dataSync(), v.shape, v.dtype);
  const backend = tf.backend() as unknown as KernelBackend;
  const out = stockKernel(kernel, 'cpu')!({
    inputs: cpuInputs as unknown as Record<string, TensorInfo>,
    backend,
    attrs: attrs as never,
  }) as TensorInfo;
  const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
  backend.disposeData(out.dataId, true);
  tf.dispose(Object.values(cpuInputs));
  return values;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
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
const poolCases = [
  { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid', levels: 0 },
  { x: [2, 7, 7, 2], filterSize: 3, strides: 2, pad: 'same', levels: 0 },
  { x: [1, 5, 6, 4], filterSize: 2, strides: 1, pad: 'same', levels: 0 },
  // Few distinct values (as after a ReLU): ties must send the gradient to the first maximum only.
  { x: [2, 6, 6, 3], filterSize: 2, strides: 2, pad: 'valid', levels: 2 },
  { x: [1, 9, 9, 2], filterSize: 3, strides: 2, pad: 'same', levels: 3 },
] as const;
const matMulCases = [
  { a: [4, 5], b: [5, 6], transposeA: false, transposeB: false },
  { a: [5, 4], b: [5, 6], transposeA: true, transposeB: false },
  { a: [4, 5], b: [6, 5], transposeA: false, transposeB: true },
  { a: [3, 5, 4], b: [3, 6, 5], transposeA: true, transposeB: true },
  { a: [1, 7, 4], b: [3, 7, 2], transposeA: true, transposeB: false }, // broadcast batch
] as const;
const tileCases = [
  { x: [1, 1, 1, 5], reps: [4, 3, 2, 1], dtype: 'float32' }, // the batch-norm gradient's pattern
  { x: [2, 3], reps: [3, 4], dtype: 'float32' },
  { x: [3, 1, 2], reps: [1, 5, 2], dtype: 'int32' },
  { x: [4], reps: [1], dtype: 'float32' },
  { x: [2, 2], reps: [0, 3], dtype: 'float32' },
] as const;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Lathe kernels on ${backend} match the stock cpu kernels`, () => {
    beforeAll(async () => {
      await selectBackend({ prefer: backend });
    });

    it.each(segmentCases)(
      'UnsortedSegmentSum n=$n inner=$inner segments=$numSegments',
      async ({ n, inner, numSegments }) => {
        const x = tf.tensor(randomValues(n * inner.reduce((a, b) => a * b, 1), n), [n, ...inner]);
        const r = mulberry32(n + 1);
        // Include ids outside [0, numSegments): TensorFlow drops them.
        const ids = tf.tensor1d(
          Int32Array.from({ length: n }, () => Math.floor(r() * (numSegments + 2)) - 1),
          'int32',
        );
        const expected = await stockCpu('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments });
        await tf.setBackend(backend);
        const out = tf.unsortedSegmentSum(x, ids, numSegments);
        expect(out.shape).toEqual([numSegments, ...inner]);
        expectClose(await out.data(), expected);
        tf.dispose([x, ids, out]);
      },
    );

    it.each(convCases)(
      'Conv2DBackpropFilter x=$x filter=$f strides=$strides pad=$pad',
      async ({ x: xShape, f, strides, pad }) => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(
          randomValues(
            xShape.reduce((a: number, b: number) => a * b, 1),
            7,
          ),
          [...xShape],
        );
        const probe = tf.conv2d(x, tf.zeros([...f]) as tf.Tensor4D, strides as [number, number], pad);
        const dy = tf.tensor4d(randomValues(probe.size, 11), probe.shape);
        const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [...f] };
        const expected = await stockCpu('Conv2DBackpropFilter', { x, dy }, attrs);
        await tf.setBackend(backend);
        const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
        expectClose(await out.data(), expected);
        tf.dispose([x, probe, dy, out]);
      },
    );

    it.each(convCases)(
      'Conv2DBackpropInput x=$x filter=$f strides=$strides pad=$pad',
      async ({ x: xShape, f, strides, pad }) => {
        await tf.setBackend(backend);
        const filter = tf.tensor4d(
          randomValues(
            f.reduce((a: number, b: number) => a * b, 1),
            5,
          ),
          [...f],
        );
        const probe = tf.conv2d(
          tf.zeros([...xShape]) as tf.Tensor4D,
          filter,
          strides as [number, number],
          pad,
        );
        const dy = tf.tensor4d(randomValues(probe.size, 13), probe.shape);
        const attrs = {
          strides,
          pad,
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          inputShape: [...xShape],
        };
        const expected = await stockCpu('Conv2DBackpropInput', { dy, filter }, attrs);
        await tf.setBackend(backend);
        const out = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
        expect(out.shape).toEqual([...xShape]);
        expectClose(await out.data(), expected);
        tf.dispose([filter, probe, dy, out]);
      },
    );

    it.each(poolCases)(
      'MaxPoolGrad x=$x filter=$filterSize strides=$strides pad=$pad levels=$levels',
      async ({ x: xShape, filterSize, strides, pad, levels }) => {
        await tf.setBackend(backend);
        const values = randomValues(
          xShape.reduce((a: number, b: number) => a * b, 1),
          17,
        );
        const input = tf.tensor4d(
          levels === 0 ? values : values.map((v) => Math.max(0, Math.round(v * levels))),
          [...xShape],
        );
        const output = tf.maxPool(input, filterSize, strides, pad);
        const dy = tf.tensor4d(randomValues(output.size, 19), output.shape);
        const attrs = { filterSize, strides, pad, dimRoundingMode: undefined };
        const expected = await stockCpu('MaxPoolGrad', { dy, input, output }, attrs);
        await tf.setBackend(backend);
        const out = tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs as never) as tf.Tensor;
        expectClose(await out.data(), expected);
        tf.dispose([input, output, dy, out]);
      },
    );

    it.each(matMulCases)(
      'BatchMatMul a=$a b=$b transposeA=$transposeA transposeB=$transposeB',
      async ({ a: aShape, b: bShape, transposeA, transposeB }) => {
        await tf.setBackend(backend);
        const a = tf.tensor(
          randomValues(
            aShape.reduce((x: number, y: number) => x * y, 1),
            23,
          ),
          [...aShape],
        );
        const b = tf.tensor(
          randomValues(
            bShape.reduce((x: number, y: number) => x * y, 1),
            29,
          ),
          [...bShape],
        );
        const attrs = { transposeA, transposeB, bias: undefined, activation: undefined };
        const expected = await stockCpu('BatchMatMul', { a, b }, attrs);
        await tf.setBackend(backend);
        const out = tf.matMul(a, b, transposeA, transposeB);
        expectClose(await out.data(), expected);
        tf.dispose([a, b, out]);
      },
    );

    it.each(tileCases)('Tile x=$x reps=$reps $dtype', async ({ x: xShape, reps, dtype }) => {
      await tf.setBackend(backend);
      const values = randomValues(
        xShape.reduce((a: number, b: number) => a * b, 1),
        31,
      );
      const x = tf.tensor(
        dtype === 'int32' ? values.map((v) => Math.round(v * 100)) : values,
        [...xShape],
        dtype,
      );
      const expected = await stockCpu('Tile', { x }, { reps: [...reps] });
      await tf.setBackend(backend);
      const out = tf.tile(x, [...reps]);
      expect(out.shape).toEqual(xShape.map((s, i) => s * reps[i]!));
      expect(out.dtype).toBe(dtype);
      expectClose(await out.data(), expected);
      tf.dispose([x, out]);
    });

    it('trains an embedding and a conv layer end to end (gradients flow through both kernels)', async () => {
      await tf.setBackend(backend);
      const table = tf.variable(tf.randomNormal([30, 4], 0, 1, 'float32', 1));
      const filter = tf.variable(tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 2));
      const ids = tf.tensor1d([1, 5, 5, 29], 'int32');
      const img = tf.randomNormal([2, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const { grads } = tf.variableGrads(
        () =>
          tf.add(
            tf.sum(tf.square(tf.gather(table, ids))),
            tf.sum(tf.conv2d(img, filter as tf.Tensor4D, 1, 'same')),
          ) as tf.Scalar,
      );
      const tableGrad = (await grads[table.name]!.array()) as number[][];
      // d/dtable of Σ gather(table)² is 2·table·count(id).
      const tableValues = (await table.array()) as number[][];
      expect(tableGrad[5]![0]).toBeCloseTo(4 * tableValues[5]![0]!, 4);
      expect(tableGrad[0]![0]).toBe(0);
      expect(grads[filter.name]!.shape).toEqual([3, 3, 1, 2]);
      tf.dispose([table, filter, ids, img, ...Object.values(grads)]);
    });
  });
}
