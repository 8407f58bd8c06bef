/**
 * Each pipeline stage declared once: its name, the earlier stages it reads, the schema of its
 * output (from @lathe/contract), the inputs that decide its output (its cache key) and what
 * the run row carries of its output. The stage runner works from these and knows no stage by
 * name; a service supplies the handler (services/<stage>/src/handler.ts).
 */
import type { z } from 'zod';
import { stageOutputSchemas } from '@lathe/contract';
import type { Json, Stage } from '@lathe/registry';
import type { StageContext, StageOutput } from './stage-handler.ts';

/** Cached reads the cache inputs may use. */
export interface CacheLookups {
  datasetSha256(datasetVersionId: string): Promise<string | null>;
}

/** The inputs that decide a stage's output; null: the stage is never cached (it has side effects). */
export type CacheInputs = (ctx: StageContext, lookups: CacheLookups) => Promise<Json | null>;

/** Run-row fields a stage's output sets, for the stages after it. */
export interface RunFields {
  datasetVersionId?: string;
}

export interface StageDefinition<S extends Stage> {
  name: S;
  /** Earlier stages whose recorded outputs this one reads (`ctx.stageOutput`). */
  reads: readonly Stage[];
  output: z.ZodType<StageOutput<S>>;
  cacheInputs: CacheInputs;
  runFields(output: StageOutput<S>): RunFields;
}

export type StageDefinitions = { [S in Stage]: StageDefinition<S> };

const uncached: CacheInputs = async () => null;
const none = (): RunFields => ({});

async function datasetOf(ctx: StageContext, lookups: CacheLookups): Promise<string | null> {
  return ctx.run.datasetVersionId ? lookups.datasetSha256(ctx.run.datasetVersionId) : null;
}

export const STAGE_DEFINITIONS: StageDefinitions = {
  // Ingest reads the outside world: never cached. The dataset version it names is copied onto
  // the run, where every later stage finds it.
  ingest: {
    name: 'ingest',
    reads: [],
    output: stageOutputSchemas.ingest,
    cacheInputs: uncached,
    runFields: (output) => ({ datasetVersionId: output.datasetVersionId }),
  },
  // Training is a function of the data's content, the family and its settings (and the code
  // version, which the runner folds into every key).
  train: {
    name: 'train',
    reads: [],
    output: stageOutputSchemas.train,
    cacheInputs: async (ctx, lookups) => {
      const dataset = await datasetOf(ctx, lookups);
      if (!dataset) return null;
      return {
        dataset,
        useCase: ctx.experiment.useCase,
        modelFamily: ctx.experiment.modelFamily,
        hyperparameters: ctx.hyperparameters as Json,
        // A cross-validation fold trains on other rows: its own cache entry.
        ...(ctx.params.fold !== undefined ? { fold: ctx.params.fold as Json } : {}),
      };
    },
    runFields: none,
  },
  // Evaluation is a function of the data, the trained model and the gate.
  evaluate: {
    name: 'evaluate',
    reads: ['train'],
    output: stageOutputSchemas.evaluate,
    cacheInputs: async (ctx, lookups) => {
      const dataset = await datasetOf(ctx, lookups);
      const trained = await ctx.stageOutput('train');
      if (!dataset || !trained) return null;
      return { dataset, trained, gate: ctx.experiment.gate as Json };
    },
    runFields: none,
  },
  // Deploying moves traffic: never cached.
  deploy: {
    name: 'deploy',
    reads: ['train', 'evaluate'],
    output: stageOutputSchemas.deploy,
    cacheInputs: uncached,
    runFields: none,
  },
};
