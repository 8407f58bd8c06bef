export * from './rows.ts';
export * from './ingest-spec.ts';
export * from './dataset-access.ts';
export * from './stage-outputs.ts';
export * from './api/index.ts';
export * from './serving.ts';
export * from './training-outcome.ts';
