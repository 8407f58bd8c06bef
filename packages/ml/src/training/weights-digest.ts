/**
 * The identity of a model's learned numbers, apart from everything else in its bundle.
 * The bundle's own sha256 also covers model.json, whose layer names carry a counter of the
 * layers the process built before (`dense_Dense7`), so two identical trainings in one worker
 * differ there; the weights digest hashes, tensor by tensor in model order, each tensor's
 * shape, dtype and bytes, and nothing else. A rerun that reproduces a run has the same digest.
 */
import { createHash } from 'node:crypto';
import type { BundleFiles } from '../bundle/bundle-format.ts';
import { readJsonFile } from '../bundle/bundle-format.ts';

export interface TensorDigest {
  /** `<prefix>` of the model in the bundle (`generator/`, or '' for one-model families). */
  model: string;
  /** The tensor's name in that model (layer names may differ between processes). */
  name: string;
  shape: number[];
  dtype: string;
  sha256: string;
}

export interface WeightsDigest {
  sha256: string;
  tensors: TensorDigest[];
}

interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Model prefixes of a bundle: every `<prefix>model.json` that has a `<prefix>weights.bin`. */
function modelPrefixes(files: BundleFiles): string[] {
  return Object.keys(files)
    .filter((name) => name.endsWith('model.json'))
    .map((name) => name.slice(0, -'model.json'.length))
    .filter((prefix) => files[`${prefix}weights.bin`] !== undefined)
    .sort();
}

function manifestOf(files: BundleFiles, prefix: string): WeightsManifestEntry[] {
  const model = readJsonFile<{ weightSpecs?: WeightsManifestEntry[] }>(files, `${prefix}model.json`);
  return model.weightSpecs ?? [];
}

/** Each tensor of the bundle with its bytes, in model order. */
export function bundleTensors(files: BundleFiles): (Omit<TensorDigest, 'sha256'> & { bytes: Uint8Array })[] {
  const out: (Omit<TensorDigest, 'sha256'> & { bytes: Uint8Array })[] = [];
  for (const prefix of modelPrefixes(files)) {
    const data = files[`${prefix}weights.bin`]!;
    let offset = 0;
    for (const spec of manifestOf(files, prefix)) {
      const size = spec.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_ELEMENT[spec.dtype] ?? 4);
      out.push({
        model: prefix,
        name: spec.name,
        shape: spec.shape,
        dtype: spec.dtype,
        bytes: data.subarray(offset, offset + size),
      });
      offset += size;
    }
  }
  return out;
}

export function weightsDigest(files: BundleFiles): WeightsDigest {
  const total = createHash('sha256');
  const tensors = bundleTensors(files).map(({ bytes, ...tensor }) => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    total.update(`${tensor.model}|${tensor.shape.join('x')}|${tensor.dtype}|${sha256}\n`);
    return { ...tensor, sha256 };
  });
  return { sha256: total.digest('hex'), tensors };
}
