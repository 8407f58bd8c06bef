/**
 * What a stage worker reads from and writes to the registry around each job, made cheap:
 *   - `claim` and `finish` go through write batchers, so the concurrent jobs of one process
 *     share one statement (registry `claimStages` / `finishStages`);
 *   - experiment rows are cached per process and revalidated by the version every claim
 *     returns (`revision`, `updatedAt`), so a changed experiment is never served stale;
 *   - dataset versions are immutable and content-addressed, so their sha256 is cached as is.
 */
import {
  claimStages,
  finishStages,
  type Experiment,
  type Registry,
  type Stage,
  type StageClaim,
  type StageFinish,
} from '@lathe/registry';
import { createWriteBatcher } from './write-batcher.ts';

export interface StageLedger {
  /** Begins a stage (see `claimStages`); null when the run does not exist. */
  claim(runId: string, stage: Stage): Promise<StageClaim | null>;
  /** Records a stage's output and advances (or ends) its run (see `finishStages`). */
  finish(item: StageFinish): Promise<void>;
  /** The claimed run's experiment, from the cache when its version has not changed. */
  experiment(claim: StageClaim): Promise<Experiment>;
  datasetSha256(datasetVersionId: string): Promise<string | null>;
}

export interface StageLedgerOptions {
  /** Most jobs in one statement; 1 turns grouping off. */
  maxBatch?: number;
  /** Experiment and dataset entries kept per process. */
  cacheSize?: number;
}

/** A Map that forgets its oldest entry beyond `size` (insertion order is Map's order). */
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, size: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > size) map.delete(map.keys().next().value as K);
}

export function createStageLedger(registry: Registry, options: StageLedgerOptions = {}): StageLedger {
  const maxBatch = options.maxBatch ?? 64;
  const cacheSize = options.cacheSize ?? 1000;
  const byRun = (item: { runId: string }) => item.runId;
  const claims = createWriteBatcher({
    run: (items: Array<{ runId: string; stage: Stage }>) => claimStages(registry, items),
    maxBatch,
    key: byRun,
  });
  const finishes = createWriteBatcher({
    run: async (items: StageFinish[]) => {
      await finishStages(registry, items);
      return items.map(() => undefined);
    },
    maxBatch,
    key: byRun,
  });
  const experiments = new Map<string, { version: string; row: Promise<Experiment> }>();
  const datasets = new Map<string, string>();

  return {
    claim: (runId, stage) => claims.submit({ runId, stage }),
    finish: (item) => finishes.submit(item),
    async experiment(claim) {
      const id = claim.run.experimentId;
      const version = `${claim.experimentRevision}:${claim.experimentUpdatedAt.getTime()}`;
      const cached = experiments.get(id);
      if (cached?.version === version) return cached.row;
      const row = registry.experiment.findUniqueOrThrow({ where: { id } });
      boundedSet(experiments, id, { version, row }, cacheSize);
      // A failed read is not cached.
      row.catch(() => experiments.get(id)?.row === row && experiments.delete(id));
      return row;
    },
    async datasetSha256(datasetVersionId) {
      const cached = datasets.get(datasetVersionId);
      if (cached) return cached;
      const version = await registry.datasetVersion.findUnique({
        where: { id: datasetVersionId },
        select: { sha256: true },
      });
      if (version) boundedSet(datasets, datasetVersionId, version.sha256, cacheSize);
      return version?.sha256 ?? null;
    },
  };
}
