/**
 * Reruns the training that produced a model bundle and says whether it reproduced: the family,
 * hyperparameters and seed come from the bundle's own training.json, the rows from the same
 * dataset version (the caller checks its sha256), and the weights are compared tensor by tensor.
 * Differences of environment (backend, its version, threads, lockfile) are listed beside the
 * verdict, since a rerun elsewhere is not expected to give the same bits; a backend that is not
 * deterministic is named as such rather than a difference being blamed on the run.
 */
import { deserializeBundle, readJsonFile } from '../bundle/bundle-format.ts';
import type { DatasetMetadata } from '../families/types.ts';
import type { WeightsComparison } from './compare-weights.ts';
import { compareWeights } from './compare-weights.ts';
import type { TrainingRecord } from './train.ts';
import { train } from './train.ts';

export interface ReproduceOptions {
  /** The original model version's bundle (verify its sha256 before calling). */
  original: Uint8Array;
  dataset: DatasetMetadata;
  trainRows(): AsyncIterable<unknown>;
  validationRows?(): AsyncIterable<unknown>;
  lockfileSha256?: string;
}

export interface Reproduction {
  verdict: 'identical' | 'different';
  weights: WeightsComparison;
  original: TrainingRecord;
  rerun: TrainingRecord;
  /** What differs between the two environments, e.g. "backend version: 4.22.0 → 4.23.0". */
  environmentDifferences: string[];
  /** Both trainings ran on a backend that computes the same bits from the same inputs. */
  deterministic: boolean;
}

function environmentDifferences(a: TrainingRecord, b: TrainingRecord): string[] {
  const facts: [string, unknown, unknown][] = [
    ['backend', a.backend.name, b.backend.name],
    ['backend version', a.backend.version, b.backend.version],
    ['threads', a.backend.threads, b.backend.threads],
    ['lockfile sha256', a.lockfileSha256, b.lockfileSha256],
  ];
  return facts
    .filter(([, x, y]) => x !== y)
    .map(([name, x, y]) => `${name}: ${String(x ?? 'unrecorded')} → ${String(y ?? 'unrecorded')}`);
}

export async function reproduceTraining(options: ReproduceOptions): Promise<Reproduction> {
  const originalFiles = deserializeBundle(options.original);
  const original = readJsonFile<TrainingRecord>(originalFiles, 'training.json');
  const result = await train({
    family: original.family,
    hyperparameters: original.hyperparameters,
    seed: original.seed,
    dataset: options.dataset,
    trainRows: options.trainRows,
    ...(options.validationRows !== undefined ? { validationRows: options.validationRows } : {}),
    ...(options.lockfileSha256 !== undefined ? { lockfileSha256: options.lockfileSha256 } : {}),
  });
  const rerun = readJsonFile<TrainingRecord>(result.bundle.files, 'training.json');
  const weights = compareWeights(originalFiles, result.bundle.files);
  return {
    verdict: weights.identical ? 'identical' : 'different',
    weights,
    original,
    rerun,
    environmentDifferences: environmentDifferences(original, rerun),
    deterministic: original.backend.deterministic === true && rerun.backend.deterministic,
  };
}
