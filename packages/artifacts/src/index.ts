export * from './artifact-store.ts';
export * from './artifact-errors.ts';
export * from './artifact-ref.ts';
export * from './local-artifact-store.ts';
export { S3ArtifactStore, type S3ArtifactStoreOptions } from './s3-artifact-store.ts';
export * from './bundle.ts';
export * from './create-artifact-store.ts';
export * from './verify-stream.ts';
