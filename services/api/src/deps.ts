/** Everything a route needs, injected by createApp's caller (main.ts or a test). */
import type { Redis } from 'ioredis';
import type { ArtifactStore } from '@lathe/artifacts';
import type { Logger } from '@lathe/core';
import type { Registry } from '@lathe/registry';
import type { ApiConfig } from './config.ts';
import type { Pipeline } from './pipeline.ts';
import type { IngestUpload } from './ingest-upload.ts';
import type { HyperparameterValidator } from './hyperparameters.ts';
import type { RunReproducer } from './reproduce-run.ts';

export interface ApiDeps {
  registry: Registry;
  pipeline: Pipeline;
  redis: Redis;
  config: ApiConfig;
  logger: Logger;
  /** Turns an uploaded file into a dataset version (@lathe/data's ingest). */
  ingest?: IngestUpload;
  /** Validates hyperparameters for a model family (@lathe/ml's parseHyperparameters). */
  validateHyperparameters?: HyperparameterValidator;
  /** Where uploaded files to score go and scoring outputs are read from. */
  artifacts?: ArtifactStore;
  /** Reruns a run's training and compares the weights (reproduce-run.ts). */
  reproduceRun?: RunReproducer;
}
