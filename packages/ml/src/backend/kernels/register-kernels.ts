/**
 * Registers Lathe's training kernels for the JS-driven backends (wasm, cpu), replacing missing
 * (wasm) or very slow (cpu) stock kernels. The stock kernels are kept so tests can compare
 * against them and benchmarks can measure the stock backend.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

export const LATHE_KERNELS = ['UnsortedSegmentSum', 'Conv2DBackpropFilter'] as const;
export type LatheKernelName = (typeof LATHE_KERNELS)[number];

const stock = new Map<string, KernelConfig | undefined>();
const installed = new Set<string>();

function key(kernel: string, backend: string): string {
  return `${backend}_${kernel}`;
}

function replace(config: KernelConfig): void {
  const k = key(config.kernelName, config.backendName);
  if (!stock.has(k)) stock.set(k, getKernel(config.kernelName, config.backendName));
  if (getKernel(config.kernelName, config.backendName) !== undefined) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

/** Idempotent: installs the Lathe kernels for `backendName` ('wasm' or 'cpu'). */
export function registerTrainingKernels(backendName: string): void {
  if (installed.has(backendName)) return;
  const fallback = getKernel('Conv2DBackpropFilter', backendName)?.kernelFunc;
  replace(unsortedSegmentSumConfig(backendName));
  replace(conv2DBackpropFilterConfig(backendName, fallback));
  installed.add(backendName);
}

/** Puts the stock kernels back (for benchmarks of the stock backend); absent ones stay absent. */
export function restoreStockKernels(backendName: string): void {
  if (!installed.has(backendName)) return;
  for (const name of LATHE_KERNELS) {
    unregisterKernel(name, backendName);
    const original = stock.get(key(name, backendName));
    if (original !== undefined) registerKernel(original);
  }
  installed.delete(backendName);
}

/** The stock kernel function as shipped by tfjs (undefined where the backend has none). */
export function stockKernel(kernelName: LatheKernelName, backendName: string): KernelFunc | undefined {
  const k = key(kernelName, backendName);
  return stock.has(k) ? stock.get(k)?.kernelFunc : getKernel(kernelName, backendName)?.kernelFunc;
}
