/**
 * Conv2DBackpropFilter (NHWC): dW[fh, fw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + fh − padTop,
 * ow·sw + fw − padLeft, ci] · dy[n, oh, ow, co] — the weight gradient of every conv layer.
 * wasm lacks it; the stock cpu kernel reads element by element through TensorBuffer.get.
 *
 * We lower it to a matrix product (the im2col formulation, Chellapilla et al. 2006):
 * P[(n, oh, ow), (fh, fw, ci)] holds the input patch of each output position, and
 * dW = Pᵀ · dy, with dy seen as [(n, oh, ow), co]. The product runs on the backend's own
 * BatchMatMul (XNNPACK on wasm), and P is built in chunks of images so memory stays bounded.
 */
import { backend_util, BatchMatMul, Conv2DBackpropFilter, getKernel } from '@tensorflow/tfjs-core';
import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { makeOutput, makeScratch, readValues, release } from './backend-io.ts';

/** Upper bound on the patch matrix of one chunk, in floats (16 MiB). */
const MAX_PATCH_FLOATS = 4 * 1024 * 1024;

function conv2DBackpropFilter(
  args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap },
  backendName: string,
  fallback: KernelFunc | undefined,
) {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const dy = inputs.dy!;
  // Why the cast: tfjs passes attributes as a NamedAttrMap; these are the attributes this kernel's op defines.
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') {
    if (fallback === undefined)
      throw new Error('Conv2DBackpropFilter: NCHW is not supported by the Lathe kernel');
    return fallback(args);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xs = readValues(backend, x) as Float32Array;
  const dys = readValues(backend, dy) as Float32Array;

  const k = filterHeight * filterWidth * inChannels;
  const rowsPerImage = outHeight * outWidth;
  const imagesPerChunk = Math.max(1, Math.min(batchSize, Math.floor(MAX_PATCH_FLOATS / (rowsPerImage * k))));
  const dW = new Float32Array(k * outChannels);
  const matMul = getKernel(BatchMatMul, backendName)!.kernelFunc;

  for (let n0 = 0; n0 < batchSize; n0 += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - n0);
    const m = images * rowsPerImage;
    const patches = new Float32Array(m * k); // zero where the patch falls into padding
    let row = 0;
    for (let n = n0; n < n0 + images; n++) {
      const xImage = n * inHeight * inWidth * inChannels;
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++, row++) {
          let col = row * k;
          for (let fh = 0; fh < filterHeight; fh++) {
            const ih = oh * strideHeight + fh - top;
            if (ih < 0 || ih >= inHeight) {
              col += filterWidth * inChannels;
              continue;
            }
            for (let fw = 0; fw < filterWidth; fw++, col += inChannels) {
              const iw = ow * strideWidth + fw - left;
              if (iw < 0 || iw >= inWidth) continue;
              const src = xImage + (ih * inWidth + iw) * inChannels;
              patches.set(xs.subarray(src, src + inChannels), col);
            }
          }
        }
      }
    }
    const p = makeScratch(backend, [1, m, k], patches);
    const d = makeScratch(
      backend,
      [1, m, outChannels],
      dys.subarray(n0 * rowsPerImage * outChannels, (n0 + images) * rowsPerImage * outChannels).slice(),
    );
    const product = matMul({
      inputs: { a: p, b: d },
      backend,
      attrs: { transposeA: true, transposeB: false },
    }) as TensorInfo;
    const values = readValues(backend, product);
    for (let i = 0; i < dW.length; i++) dW[i]! += values[i]!;
    release(backend, p);
    release(backend, d);
    release(backend, product);
  }
  return makeOutput(backend, filterShape, 'float32', dW);
}

export function conv2DBackpropFilterConfig(
  backendName: string,
  fallback: KernelFunc | undefined,
): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ((args: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) =>
      // Why the cast: tfjs types KernelFunc over untyped inputs and attributes; this kernel declares the ones it receives.
      conv2DBackpropFilter(args, backendName, fallback)) as unknown as KernelFunc,
  };
}
