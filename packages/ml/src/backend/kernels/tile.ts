/**
 * Tile: out[i₀, …, i_k] = x[i₀ mod s₀, …, i_k mod s_k], with out's dims = x's dims × reps.
 * The batch-norm gradient tiles a [1, 1, 1, C] tensor to the activation's full size on every
 * step; the stock wasm and cpu kernels compute an index per element (≈ 90 ns each on wasm
 * here). This builds each dimension's block once and repeats it by block copies (copyWithin,
 * doubling), so the work is memory copies.
 */
import { Tile, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './backend-io.ts';
import { makeOutput, readValues } from './backend-io.ts';

/** Copies out[dst, dst + block) to the next `times − 1` blocks, doubling the copied run each time. */
function repeatBlock(out: TypedArray, dst: number, block: number, times: number): void {
  for (let filled = 1; filled < times;) {
    const n = Math.min(filled, times - filled);
    out.copyWithin(dst + filled * block, dst, dst + n * block);
    filled += n;
  }
}

export function tileValues(
  x: TypedArray,
  shape: number[],
  reps: number[],
): { values: TypedArray; shape: number[] } {
  const rank = shape.length;
  const outShape = shape.map((s, i) => s * reps[i]!);
  const out = new (x.constructor as new (n: number) => TypedArray)(util.sizeFromShape(outShape));
  if (out.length === 0) return { values: out, shape: outShape };
  const xStrides = [...util.computeStrides(shape), 1];
  const outStrides = [...util.computeStrides(outShape), 1];
  // Fills out's block at `dst` for dims ≥ dim from x's block at `src`.
  const fill = (dim: number, src: number, dst: number): void => {
    if (dim === rank - 1) {
      out.set(x.subarray(src, src + shape[dim]!), dst);
    } else {
      for (let j = 0; j < shape[dim]!; j++)
        fill(dim + 1, src + j * xStrides[dim]!, dst + j * outStrides[dim]!);
    }
    repeatBlock(out, dst, shape[dim]! * outStrides[dim]!, reps[dim]!);
  };
  if (rank === 0) out[0] = x[0]!;
  else fill(0, 0, 0);
  return { values: out, shape: outShape };
}

function tile(args: KernelArgs, stock: KernelFunc | undefined): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (x.dtype === 'string') {
    if (stock === undefined) throw new Error('Tile: string tensors are not supported by the Lathe kernel');
    return stock(args as never) as TensorInfo;
  }
  const { values, shape } = tileValues(readValues(backend, x), x.shape, (attrs as { reps: number[] }).reps);
  return makeOutput(backend, shape, x.dtype, values);
}

/** `stock`: the backend's own kernel, for string tensors. */
export function tileConfig(backendName: string, stock: KernelConfig | undefined): KernelConfig {
  return {
    ...stock,
    kernelName: Tile,
    backendName,
    // Why the cast: tfjs types KernelFunc over untyped inputs and attributes; this kernel declares the ones it receives.
    kernelFunc: ((args: KernelArgs) => tile(args, stock?.kernelFunc)) as unknown as KernelFunc,
  };
}
