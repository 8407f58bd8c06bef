/**
 * The few backend calls our JS kernels need, written once for both backends they serve.
 * `cpu` keeps values in JS typed arrays (`makeTensorInfo`); `wasm` keeps them on its heap and
 * allocates outputs with `makeOutput(shape, dtype, offset, values)` (cpu's `makeOutput` differs). Both implement
 * `readSync`, `write` and `disposeData` (the KernelBackend interface).
 */
import type {
  DataType,
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
  TypedArray,
} from '@tensorflow/tfjs-core';

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: TypedArray): TensorInfo;
}
interface CpuLikeBackend {
  makeTensorInfo(shape: number[], dtype: DataType, values?: TypedArray): TensorInfo;
}

/** The arguments every kernel function receives. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

export function readValues(backend: KernelBackend, tensor: TensorInfo): TypedArray {
  return backend.readSync(tensor.dataId) as TypedArray;
}

/** An output tensor owned by the backend, filled with `values`. */
export function makeOutput(
  backend: KernelBackend,
  shape: number[],
  dtype: DataType,
  values: TypedArray,
): TensorInfo {
  // Check cpu's method first: cpu also has a `makeOutput`, with another signature.
  // Why the cast: tfjs types backends as KernelBackend; the cpu and wasm backends' output helpers are not on that interface.
  const cpu = backend as unknown as Partial<CpuLikeBackend>;
  if (typeof cpu.makeTensorInfo === 'function') return cpu.makeTensorInfo(shape, dtype, values);
  // Why the cast: tfjs types backends as KernelBackend; the cpu and wasm backends' output helpers are not on that interface.
  return (backend as unknown as WasmLikeBackend).makeOutput(shape, dtype, undefined, values);
}

/** A scratch tensor for calling another kernel; release it with `release`. */
export function makeScratch(backend: KernelBackend, shape: number[], values: Float32Array): TensorInfo {
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

export function release(backend: KernelBackend, tensor: TensorInfo): void {
  backend.disposeData(tensor.dataId, true);
}

/** Calls another kernel function directly (not through the engine: no tape, no profiling). */
export function callKernel(
  kernel: KernelFunc,
  backend: KernelBackend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  return kernel({ inputs, backend, attrs }) as TensorInfo;
}
