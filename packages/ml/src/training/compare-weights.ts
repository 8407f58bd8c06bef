/**
 * Compares the weights of two bundles tensor by tensor, in model order, and names the first
 * tensor that differs (with how much, for float tensors), so a failed reproduction says where
 * the runs parted instead of only that two hashes differ.
 */
import type { BundleFiles } from '../bundle/bundle-format.ts';
import { bundleTensors, weightsDigest } from './weights-digest.ts';

export interface TensorDifference {
  /** Position of the tensor in model order (0-based). */
  index: number;
  model: string;
  name: string;
  reason: 'missing' | 'extra' | 'shape' | 'dtype' | 'values';
  /** For `values` of float32 tensors: the largest absolute element difference. */
  maxAbsDifference?: number;
  /** For `values`: how many elements differ. */
  differingElements?: number;
}

export interface WeightsComparison {
  identical: boolean;
  originalSha256: string;
  rerunSha256: string;
  tensors: number;
  firstDifference: TensorDifference | null;
}

function floatView(bytes: Uint8Array): Float32Array {
  // Copy: a bundle file is a view at any byte offset, a Float32Array needs a 4-aligned one.
  return new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
}

export function compareWeights(original: BundleFiles, rerun: BundleFiles): WeightsComparison {
  const a = bundleTensors(original);
  const b = bundleTensors(rerun);
  const originalSha256 = weightsDigest(original).sha256;
  const rerunSha256 = weightsDigest(rerun).sha256;
  let firstDifference: TensorDifference | null = null;
  for (let i = 0; i < Math.max(a.length, b.length) && firstDifference === null; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) {
      firstDifference = { index: i, model: y!.model, name: y!.name, reason: 'extra' };
    } else if (y === undefined) {
      firstDifference = { index: i, model: x.model, name: x.name, reason: 'missing' };
    } else if (x.model !== y.model || x.shape.join('x') !== y.shape.join('x')) {
      firstDifference = { index: i, model: x.model, name: x.name, reason: 'shape' };
    } else if (x.dtype !== y.dtype) {
      firstDifference = { index: i, model: x.model, name: x.name, reason: 'dtype' };
    } else if (!Buffer.from(x.bytes).equals(Buffer.from(y.bytes))) {
      firstDifference = { index: i, model: x.model, name: x.name, reason: 'values' };
      if (x.dtype === 'float32') {
        const u = floatView(x.bytes);
        const v = floatView(y.bytes);
        let max = 0;
        let count = 0;
        for (let k = 0; k < u.length; k++) {
          if (Object.is(u[k], v[k])) continue;
          count++;
          max = Math.max(max, Math.abs(u[k]! - v[k]!));
        }
        firstDifference.maxAbsDifference = max;
        firstDifference.differingElements = count;
      }
    }
  }
  return {
    identical: firstDifference === null && originalSha256 === rerunSha256,
    originalSha256,
    rerunSha256,
    tensors: a.length,
    firstDifference,
  };
}
