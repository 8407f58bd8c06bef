export { createApp, type LatheApp } from './app.ts';
export type { ApiDeps } from './deps.ts';
export { apiConfigFromEnv, apiEnvSchema, type ApiConfig } from './config.ts';
export { bootstrapAdminKey } from './bootstrap-admin-key.ts';
export { type IngestUpload, type UploadedFile } from './ingest-upload.ts';
export { ingestWithData } from './ingest-with-data.ts';
export { toProblem, type Problem } from '@lathe/core';
