/**
 * Conv2DBackpropInput for wasm: dx = dy ⊛ W̃, a forward convolution (XNNPACK) of the
 * stride-dilated output gradient with the filter rotated 180° and its channels swapped,
 * W̃[g_h, g_w, co, ci] = W[fh−1−g_h, fw−1−g_w, ci, co] (Dumoulin & Visin 2016, "A guide to
 * convolution arithmetic", §4). The stock wasm kernel is a scalar loop: ≈ 1 GFLOP/s against
 * ≈ 6 for this one on a 14×14×16→32 layer.
 *
 * Padding: output row ih reads dilated row ih − (fh−1−padTop) + g, so the new top padding is
 * fh−1−padTop and the bottom one h + padTop − L, with L = (oh−1)·sh + 1 rows of dilated dy.
 * Both are ≥ 0 for 'same' and 'valid'; otherwise (and for NCHW) the stock kernel runs.
 */
import { Conv2D, Conv2DBackpropInput, getKernel } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './backend-io.ts';
import { callKernel, makeScratch, readValues, release } from './backend-io.ts';
import { convGradientAttrs, explicitPadding, forwardConvInfo } from './conv-attrs.ts';

/** W [fh, fw, ci, co] → W̃ [fh, fw, co, ci], rotated 180° in space. */
function rotatedFilter(w: Float32Array, [fh, fw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < fh!; h++) {
    for (let x = 0; x < fw!; x++) {
      const src = (h * fw! + x) * ci! * co!;
      const dst = ((fh! - 1 - h) * fw! + (fw! - 1 - x)) * co! * ci!;
      for (let i = 0; i < ci!; i++)
        for (let o = 0; o < co!; o++) out[dst + o * ci! + i] = w[src + i * co! + o]!;
    }
  }
  return out;
}

/** dy [n, oh, ow, c] with sh−1 zero rows (sw−1 columns) between its rows (columns). */
function dilated(
  dy: Float32Array,
  [n, oh, ow, c]: number[],
  sh: number,
  sw: number,
): { values: Float32Array; shape: number[] } {
  const h = (oh! - 1) * sh + 1;
  const w = (ow! - 1) * sw + 1;
  const values = new Float32Array(n! * h * w * c!);
  for (let b = 0; b < n!; b++) {
    for (let y = 0; y < oh!; y++) {
      for (let x = 0; x < ow!; x++) {
        const src = ((b * oh! + y) * ow! + x) * c!;
        values.set(dy.subarray(src, src + c!), ((b * h + y * sh) * w + x * sw) * c!);
      }
    }
  }
  return { values, shape: [n!, h, w, c!] };
}

function conv2DBackpropInput(args: KernelArgs, stock: KernelFunc): TensorInfo {
  const { inputs, backend } = args;
  const dy = inputs.dy!;
  const filter = inputs.filter!;
  const attrs = convGradientAttrs(args.attrs);
  const inputShape = (args.attrs as { inputShape: number[] }).inputShape;
  if (attrs.dataFormat === 'NCHW') return stock(args as never) as TensorInfo;
  const info = forwardConvInfo(inputShape, filter.shape, attrs);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const dilatedHeight = (info.outHeight - 1) * sh + 1;
  const dilatedWidth = (info.outWidth - 1) * sw + 1;
  const top = fh - 1 - info.padInfo.top;
  const bottom = info.inHeight + info.padInfo.top - dilatedHeight;
  const left = fw - 1 - info.padInfo.left;
  const right = info.inWidth + info.padInfo.left - dilatedWidth;
  if (Math.min(top, bottom, left, right) < 0) return stock(args as never) as TensorInfo;

  const rotated = makeScratch(
    backend,
    [fh, fw, info.outChannels, info.inChannels],
    rotatedFilter(readValues(backend, filter) as Float32Array, filter.shape),
  );
  const spread =
    sh === 1 && sw === 1 ? null : dilated(readValues(backend, dy) as Float32Array, dy.shape, sh, sw);
  const source = spread === null ? dy : makeScratch(backend, spread.shape, spread.values);
  try {
    return callKernel(
      getKernel(Conv2D, 'wasm')!.kernelFunc,
      backend,
      { x: source, filter: rotated },
      {
        strides: 1,
        dilations: 1,
        pad: explicitPadding(top, bottom, left, right),
        dataFormat: 'NHWC',
      },
    );
  } finally {
    release(backend, rotated);
    if (spread !== null) release(backend as KernelBackend, source);
  }
}

export function conv2DBackpropInputWasmConfig(stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    // Why the cast: tfjs types KernelFunc over untyped inputs and attributes; this kernel declares the ones it receives.
    kernelFunc: ((args: KernelArgs) => conv2DBackpropInput(args, stock.kernelFunc)) as unknown as KernelFunc,
  };
}
