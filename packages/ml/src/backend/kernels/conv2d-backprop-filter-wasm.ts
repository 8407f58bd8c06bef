/**
 * Conv2DBackpropFilter for wasm as one forward convolution (XNNPACK), with the batch playing
 * the role of the channels: dW[f, ci, co] = Σ_{n, o} x[n, o·s + f − pad, ci] · dy[n, o, co] is
 * the convolution of xᵀ [ci, h, w, n] with dyᵀ [oh, ow, n, co] as a filter dilated by the
 * stride, giving [ci, fh, fw, co], transposed back to [fh, fw, ci, co]. ≈ 5 GFLOP/s against
 * ≈ 0.6 for the im2col kernel through wasm's BatchMatMul.
 *
 * Padding: top/left as in the forward pass; the bottom padding that makes the output fh rows
 * high is fh + (oh−1)·sh − h − padTop. It is negative when 'valid' with a stride leaves input
 * rows unread; then (and for NCHW) the im2col kernel runs instead.
 */
import { Conv2D, Conv2DBackpropFilter, getKernel, Transpose } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './backend-io.ts';
import { callKernel, release } from './backend-io.ts';
import { convGradientAttrs, explicitPadding, forwardConvInfo } from './conv-attrs.ts';

function conv2DBackpropFilter(args: KernelArgs, general: KernelFunc): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const dy = inputs.dy!;
  const attrs = convGradientAttrs(args.attrs);
  const filterShape = (args.attrs as { filterShape: number[] }).filterShape;
  if (attrs.dataFormat === 'NCHW') return general(args as never) as TensorInfo;
  const info = forwardConvInfo(x.shape, filterShape, attrs);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const bottom = fh + (info.outHeight - 1) * sh - info.inHeight - info.padInfo.top;
  const right = fw + (info.outWidth - 1) * sw - info.inWidth - info.padInfo.left;
  if (bottom < 0 || right < 0) return general(args as never) as TensorInfo;

  const transpose = getKernel(Transpose, 'wasm')!.kernelFunc;
  const xT = callKernel(transpose, backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = callKernel(transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
  let product: TensorInfo | undefined;
  try {
    product = callKernel(
      getKernel(Conv2D, 'wasm')!.kernelFunc,
      backend,
      { x: xT, filter: dyT },
      {
        strides: 1,
        dilations: [sh, sw],
        pad: explicitPadding(info.padInfo.top, bottom, info.padInfo.left, right),
        dataFormat: 'NHWC',
      },
    );
    return callKernel(transpose, backend, { x: product }, { perm: [1, 2, 0, 3] });
  } finally {
    release(backend, xT);
    release(backend, dyT);
    if (product !== undefined) release(backend, product);
  }
}

/** `general`: the im2col kernel, for the layouts this lowering does not cover. */
export function conv2DBackpropFilterWasmConfig(general: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName: 'wasm',
    // Why the cast: tfjs types KernelFunc over untyped inputs and attributes; this kernel declares the ones it receives.
    kernelFunc: ((args: KernelArgs) => conv2DBackpropFilter(args, general)) as unknown as KernelFunc,
  };
}
