/**
 * Picks the TensorFlow.js backend: tfjs-node-gpu → tfjs-node → wasm → cpu, the first that
 * loads, or the one the process configuration names (LATHE_TF_BACKEND). The native bindings are optional dependencies
 * whose install script (a libtensorflow download) is disabled, so on most machines they are
 * present without their `.node` binding and fail to load; we then fall back. Lathe's training
 * kernels are registered for wasm and cpu (see kernels/register-kernels.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfigError, LatheError } from '@lathe/core';
import { registerTrainingKernels } from './kernels/register-kernels.ts';

export const BACKEND_CHOICES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** `LATHE_TF_BACKEND` in a process's configuration schema: a backend to force, or unset (the first that loads). */
export const tfBackendVariable = z.enum(BACKEND_CHOICES).optional();

export interface BackendInfo {
  /** What was chosen: one of BACKEND_CHOICES. */
  name: BackendChoice;
  /** The tfjs engine's backend name ('tensorflow' for both node bindings). */
  engineName: string;
  /** Version of the package that provides the backend. */
  version: string;
  /** Threads the backend computes with. */
  threads: number;
  /** Backends tried before this one and why each failed. */
  skipped: { name: BackendChoice; reason: string }[];
}

const require = createRequire(import.meta.url);

function hasNativeBinding(pkg: string): boolean {
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return false;
  }
  const lib = join(root, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((dir) => existsSync(join(lib, dir, 'tfjs_binding.node')));
}

async function tryBackend(name: BackendChoice): Promise<Omit<BackendInfo, 'skipped'>> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      const pkg = `@tensorflow/${name}`;
      // Importing a binding-less package half-registers its kernels before failing; check first.
      if (!hasNativeBinding(pkg))
        throw new Error(`${pkg} is not installed with its native binding (libtensorflow)`);
      const mod = (await import(pkg)) as { version?: Record<string, string> };
      if (!(await tf.setBackend('tensorflow')))
        throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
      return {
        name,
        engineName: 'tensorflow',
        version: mod.version?.[name] ?? tf.version_core,
        threads: availableParallelism(),
      };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      registerTrainingKernels('wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      // Node has no SharedArrayBuffer workers for tfjs-backend-wasm: it runs single-threaded.
      return { name, engineName: 'wasm', version: wasm.version_wasm, threads: 1 };
    }
    case 'cpu': {
      registerTrainingKernels('cpu');
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return {
        name,
        engineName: 'cpu',
        version: tf.version['tfjs-backend-cpu'] ?? tf.version_core,
        threads: 1,
      };
    }
  }
}

export function parseBackendChoice(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new ConfigError(
    `LATHE_TF_BACKEND=${JSON.stringify(value)} is not a backend; use one of ${BACKEND_CHOICES.join(', ')}`,
    {
      variable: 'LATHE_TF_BACKEND',
      value,
      allowed: [...BACKEND_CHOICES],
    },
  );
}

let current: BackendInfo | undefined;

/**
 * Selects and initialises the backend. `prefer` (the process's LATHE_TF_BACKEND, passed down
 * from its configuration) forces one backend and fails loudly if it cannot load: a named
 * choice is never silently replaced. Unset: the first of BACKEND_CHOICES that loads.
 */
export async function selectBackend(options: { prefer?: string | undefined } = {}): Promise<BackendInfo> {
  const prefer = parseBackendChoice(options.prefer);
  if (
    current !== undefined &&
    (prefer === undefined || prefer === current.name) &&
    tf.getBackend() === current.engineName
  ) {
    return current;
  }
  const order = prefer === undefined ? BACKEND_CHOICES : [prefer];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      current = { ...(await tryBackend(name)), skipped };
      return current;
    } catch (error) {
      skipped.push({ name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new LatheError(
    'backend_unavailable',
    `no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
    {
      details: { skipped },
      permanent: true,
    },
  );
}

/** The backend chosen by the last selectBackend call, for recording on a run. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
