export * from './metric-value.ts';
// Input checks stay internal; the shapes are public.
export type { Labels, ScoreMatrix, ScoreMatrixInput } from './inputs.ts';
export { toScoreMatrix } from './inputs.ts';
export * from './classification.ts';
export * from './binary-curve.ts';
export * from './roc.ts';
export * from './precision-recall.ts';
export * from './calibration.ts';
export * from './regression.ts';
export * from './ranking.ts';
export * from './downsample.ts';
export * from './classification-accumulator.ts';
export * from './gains.ts';
