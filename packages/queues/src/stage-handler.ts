/**
 * What a stage's logic sees and returns. Handlers are plain async functions of a context, so
 * tests call them directly and the real logic (@lathe/data, @lathe/ml) plugs into the same map
 * without changing the orchestration around it.
 */
import type { StageOutputOf } from '@lathe/contract';
import type { Logger } from '@lathe/core';
import { LatheError } from '@lathe/core';
import type { Experiment, Registry, Run, Stage } from '@lathe/registry';

/** Per-run overrides stored in Run.params. */
export interface RunParams {
  hyperparameters?: Record<string, unknown>;
  /** false turns stage caching off for this run. */
  cache?: boolean;
  source?: unknown;
  [key: string]: unknown;
}

export interface StageContext {
  runId: string;
  stage: Stage;
  /** 1 for the first try of this stage's job, 2 for its first retry… */
  attempt: number;
  run: Run;
  experiment: Experiment;
  params: RunParams;
  /** The experiment's hyperparameters with the run's overrides applied. */
  hyperparameters: Record<string, unknown>;
  registry: Registry;
  logger: Logger;
  /** Aborted when the attempt times out; long steps should pass it on. */
  signal: AbortSignal;
  /** True when the run was cancelled or the attempt aborted: check between batches/epochs. */
  shouldStop(): Promise<boolean>;
  /** Throws `StageStoppedError` when `shouldStop()`; the runner records the cancellation. */
  throwIfStopped(): Promise<void>;
  /** Progress of this stage, 0..1: stored on the run and published as a queue progress event. */
  reportProgress(progress: number): Promise<void>;
  /**
   * The recorded output of an earlier stage of this run (results pass through the registry),
   * checked against that stage's output schema; null while it has none. Only the stages this
   * one declares it reads (stage-definitions.ts) may be asked for.
   */
  stageOutput<Of extends Stage>(stage: Of): Promise<StageOutput<Of> | null>;
}

/** A stage's result, stored as StageExecution.output; its schema is in @lathe/contract. */
export type StageOutput<S extends Stage = Stage> = StageOutputOf<S>;

export type StageHandler<S extends Stage = Stage> = (ctx: StageContext) => Promise<StageOutput<S>>;
export type StageHandlers = { [S in Stage]?: StageHandler<S> };

export class StageStoppedError extends LatheError {
  constructor(runId: string, stage: Stage, reason: 'cancelled' | 'aborted') {
    super('stage_stopped', `run ${runId} stopped during ${stage}: ${reason}`, {
      details: { runId, stage, reason },
      permanent: reason === 'cancelled',
    });
  }
}
