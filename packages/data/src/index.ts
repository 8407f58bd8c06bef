export * from './data-errors.ts';
export * from './ingest/ingest-to-artifacts.ts';
export * from './read/read-rows.ts';
export * from './read/dataset-access.ts';
export * from './drift/compute-drift.ts';
export * from './profile/profile.ts';
export * from './profile/infer-column-types.ts';
export * from './split/split-indices.ts';
export {
  openSyntheticInteractions,
  trueAffinity,
  syntheticInteractionsOptionsSchema,
} from './samples/synthetic-interactions.ts';
export * from './stored-ingest-spec.ts';
export * from './ingest/ingest-dataset-version.ts';
export { FASHION_MNIST_DIR, FASHION_MNIST_LABELS } from './samples/fashion-mnist-sample.ts';
export { redactConnectionString } from './sources/postgres-source.ts';
export { formatFromName } from './sources/text-source.ts';
export type { OpenedSource, SourceRecord } from './sources/source-record.ts';
export { openSource, type OpenSourceOptions } from './sources/open-source.ts';
export * from './sources/connections.ts';
export * from './spec-secrets.ts';
export { piiSaltFromEnv } from './normalise/pii-salt.ts';
export * from './privacy/laplace-mechanism.ts';
export * from './privacy/randomised-response.ts';
export type { PerturbationReport } from './privacy/perturb-records.ts';
export type { KAnonymityReport } from './privacy/k-anonymity.ts';
