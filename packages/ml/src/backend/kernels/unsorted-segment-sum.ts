/**
 * UnsortedSegmentSum: out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments)
 * are dropped, as in TensorFlow. It is the gradient of gather, so every Embedding layer needs it
 * to train. wasm has no such kernel and the stock cpu one compares every id with every segment
 * (O(numSegments × n × inner)); this is one pass over x: O(n × inner).
 */
import { UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type {
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  KernelBackend,
  TypedArray,
} from '@tensorflow/tfjs-core';
import { makeOutput, readValues } from './backend-io.ts';

function unsortedSegmentSum(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}) {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const segmentIds = inputs.segmentIds!;
  const numSegments = attrs!.numSegments as number;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  // segmentIds may cover the first k dimensions of x; the rest form one row per id.
  const inner = util.sizeFromShape(x.shape) / Math.max(n, 1);
  const xs = readValues(backend, x);
  const ids = readValues(backend, segmentIds);
  const outSize = numSegments * inner;
  const out: TypedArray = x.dtype === 'int32' ? new Int32Array(outSize) : new Float32Array(outSize);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += xs[src + j]!;
  }
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return makeOutput(backend, outShape, x.dtype, out);
}

export function unsortedSegmentSumConfig(backendName: string): KernelConfig {
  return {
    kernelName: UnsortedSegmentSum,
    backendName,
    // Why the cast: tfjs types KernelFunc over untyped inputs and attributes; this kernel declares the ones it receives.
    kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
  };
}
