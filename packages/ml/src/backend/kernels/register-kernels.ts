/**
 * Registers Lathe's training kernels for the JS-driven backends (wasm, cpu), replacing missing
 * (wasm), slow-path (wasm: transposed BatchMatMul, conv gradients, MaxPoolGrad, Tile) or very slow
 * (cpu) stock kernels. The stock kernels are kept so tests can compare against them and
 * benchmarks can measure the stock backend.
 */
import {
  BatchMatMul,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  Tile,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig } from './batch-mat-mul-wasm.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter-wasm.ts';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input-wasm.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { tileConfig } from './tile.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

export const LATHE_KERNELS = [
  'UnsortedSegmentSum',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'MaxPoolGrad',
  'Tile',
] as const;
export type LatheKernelName = (typeof LATHE_KERNELS)[number];

const stock = new Map<string, KernelConfig | undefined>();
const installed = new Map<string, string[]>();

function key(kernel: string, backend: string): string {
  return `${backend}_${kernel}`;
}

function stockConfig(kernel: string, backend: string): KernelConfig | undefined {
  const k = key(kernel, backend);
  if (!stock.has(k)) stock.set(k, getKernel(kernel, backend));
  return stock.get(k);
}

function replace(config: KernelConfig): void {
  stockConfig(config.kernelName, config.backendName);
  if (getKernel(config.kernelName, config.backendName) !== undefined)
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

function latheKernels(backendName: string): KernelConfig[] {
  const im2colFilter = conv2DBackpropFilterConfig(
    backendName,
    stockConfig(Conv2DBackpropFilter, backendName)?.kernelFunc,
  );
  const common = [
    unsortedSegmentSumConfig(backendName),
    maxPoolGradConfig(backendName),
    tileConfig(backendName, stockConfig(Tile, backendName)),
  ];
  if (backendName !== 'wasm') return [...common, im2colFilter];
  return [
    ...common,
    conv2DBackpropFilterWasmConfig(im2colFilter.kernelFunc),
    conv2DBackpropInputWasmConfig(stockConfig(Conv2DBackpropInput, backendName)!),
    batchMatMulWasmConfig(stockConfig(BatchMatMul, backendName)!),
  ];
}

/** Idempotent: installs the Lathe kernels for `backendName` ('wasm' or 'cpu'). */
export function registerTrainingKernels(backendName: string): void {
  if (installed.has(backendName)) return;
  const configs = latheKernels(backendName);
  for (const config of configs) replace(config);
  installed.set(
    backendName,
    configs.map((c) => c.kernelName),
  );
}

/** Puts the stock kernels back (for benchmarks of the stock backend); absent ones stay absent. */
export function restoreStockKernels(backendName: string): void {
  for (const name of installed.get(backendName) ?? []) {
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
