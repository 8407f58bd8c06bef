export * from './backend/select-backend.ts';
export { registerTrainingKernels, restoreStockKernels, stockKernel, LATHE_KERNELS } from './backend/kernels/register-kernels.ts';
// Evaluation metrics and the gate (packages/ml/src/metrics, src/evaluation) are exported by their owner here.
