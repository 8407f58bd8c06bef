import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/core';
import { selectBackend, tfBackendVariable } from './select-backend.ts';

describe('selectBackend', () => {
  it('falls back past the native bindings (installed without libtensorflow) to wasm, recording why', async () => {
    const info = await selectBackend({ prefer: undefined });
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
    expect(info.version).toBe('4.22.0');
    expect(info.threads).toBe(1);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('honours a configured LATHE_TF_BACKEND=cpu', async () => {
    const prefer = tfBackendVariable.parse('cpu');
    const info = await selectBackend({ prefer });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('the configuration refuses a backend name it does not know', () => {
    expect(tfBackendVariable.safeParse('tensorflow-gpu').success).toBe(false);
    expect(tfBackendVariable.parse(undefined)).toBeUndefined();
  });

  it('refuses an unknown backend name with the allowed values', async () => {
    await expect(selectBackend({ prefer: 'webgpu' })).rejects.toThrow(
      /LATHE_TF_BACKEND="webgpu" is not a backend; use one of tfjs-node-gpu, tfjs-node, wasm, cpu/,
    );
  });

  it('fails loudly when the named backend cannot load', async () => {
    const error = await selectBackend({ prefer: 'tfjs-node' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe('backend_unavailable');
  });
});
