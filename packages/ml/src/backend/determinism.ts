/**
 * Whether a backend computes the same bits from the same inputs, as recorded on a run. Lathe
 * claims bit-reproducible training only where the arithmetic order is fixed:
 *   - cpu (pure JavaScript) and wasm (XNNPACK, single-threaded in Node) run every kernel in one
 *     thread in a fixed order; Lathe's own training kernels (kernels/) are sequential too;
 *   - tfjs-node runs TensorFlow's CPU kernels on an intra-op thread pool whose reductions may
 *     split work differently from run to run;
 *   - tfjs-node-gpu uses cuDNN/cuBLAS kernels with atomic accumulation (TensorFlow's own
 *     determinism switch is not reachable through tfjs-node).
 */
import type { BackendInfo } from './select-backend.ts';

export interface BackendDeterminism {
  deterministic: boolean;
  /** Why the backend is or is not deterministic, for the run's record. */
  reason: string;
}

export function backendDeterminism(backend: Pick<BackendInfo, 'name' | 'threads'>): BackendDeterminism {
  switch (backend.name) {
    case 'cpu':
      return { deterministic: true, reason: 'pure JavaScript kernels, one thread, fixed order' };
    case 'wasm':
      return backend.threads === 1
        ? { deterministic: true, reason: 'XNNPACK kernels on one thread, fixed order' }
        : {
            deterministic: false,
            reason: `wasm on ${backend.threads} threads may split reductions differently per run`,
          };
    case 'tfjs-node':
      return {
        deterministic: false,
        reason: "TensorFlow's CPU kernels run on a thread pool whose reductions are not ordered",
      };
    case 'tfjs-node-gpu':
      return {
        deterministic: false,
        reason: 'GPU kernels accumulate with atomics; TensorFlow determinism is not exposed by tfjs-node',
      };
  }
}
