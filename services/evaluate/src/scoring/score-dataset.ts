/**
 * The scoring worker's job: every row of a dataset version, or of an uploaded CSV/JSONL file,
 * through one model version, in batches (bounded memory: rows stream in, lines stream out to a
 * temporary file), written as one content-addressed artifact with the key columns and scores.
 * Progress (rows scored) is recorded per batch. A redelivered job whose row already succeeded
 * does nothing; a retried attempt starts again from the first row. Jobs of kind `evaluation`
 * record an Evaluation instead (evaluate-dataset.ts).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { ArtifactStore } from '@lathe/artifacts';
import { ingestSpecSchema, type TabularRow } from '@lathe/contract';
import { LatheError } from '@lathe/core';
import { openSource, readRows } from '@lathe/data';
import { loadModel, type LoadedModel } from '@lathe/ml';
import type { ScoringPayload } from '@lathe/queues';
import {
  claimScoringJob,
  completeScoringJob,
  failScoringJob,
  getDatasetVersion,
  getModelVersion,
  getScoringJob,
  reportScoringProgress,
  type Registry,
  type ScoringJob,
} from '@lathe/registry';
import { evaluateDatasetVersion } from './evaluate-dataset.ts';
import {
  type ScoringFormat,
  formatLine,
  headerLine,
  outputColumns,
  outputValues,
  tabularRowOf,
} from './score-rows.ts';

const BATCH = 512;

export interface ScoringDeps {
  registry: Registry;
  store: ArtifactStore;
}

interface ScoringInput {
  total: number | null;
  rows: AsyncIterable<{ row: unknown; keys: Record<string, string> }>;
}

async function* fromDatasetVersion(store: ArtifactStore, sha256: string, useCase: string) {
  for await (const row of readRows(store, sha256, useCase as never)) {
    yield { row, keys: (row as TabularRow).keys ?? {} };
  }
}

async function* fromUpload(
  store: ArtifactStore,
  job: ScoringJob,
  model: LoadedModel,
  keyColumns: readonly string[],
) {
  const spec = ingestSpecSchema.parse({
    useCase: model.signature.useCase,
    source: {
      kind: 'stream',
      stream: await store.get(job.inputSha256!),
      format: job.inputFormat ?? 'csv',
      name: job.inputName ?? 'upload',
    },
  });
  const source = await openSource(spec);
  const missing = keyColumns.filter((k) => !source.columns.includes(k));
  if (source.columns.length > 0 && missing.length > 0) {
    throw new LatheError(
      'unknown_key_columns',
      `${job.inputName ?? 'the uploaded file'} has no column ${missing.join(', ')}; its columns are ${source.columns.join(', ')}`,
      { permanent: true },
    );
  }
  for await (const record of source.records) {
    const keys = Object.fromEntries(keyColumns.map((k) => [k, String(record.values[k] ?? '')]));
    const row =
      model.signature.useCase === 'tabular'
        ? tabularRowOf(record.values, model.signature, keyColumns)
        : record.values;
    yield { row, keys };
  }
}

async function openInput(deps: ScoringDeps, job: ScoringJob, model: LoadedModel): Promise<ScoringInput> {
  const keyColumns = job.keyColumns as string[];
  if (job.datasetVersionId !== null) {
    const version = await getDatasetVersion(deps.registry, job.datasetVersionId);
    const useCase = (version.schema as { useCase: string }).useCase;
    return { total: version.rows, rows: fromDatasetVersion(deps.store, version.sha256, useCase) };
  }
  if (model.signature.useCase !== 'tabular' && model.signature.useCase !== 'nlp') {
    throw new LatheError(
      'scoring_unsupported',
      `an uploaded file can be scored by tabular and text models; this is a ${model.signature.useCase} model: score one of its dataset versions instead`,
      { permanent: true },
    );
  }
  return { total: null, rows: fromUpload(deps.store, job, model, keyColumns) };
}

export function createScoringHandler(deps: ScoringDeps) {
  return async ({
    scoringJobId,
  }: ScoringPayload): Promise<{ rows: number; sha256?: string; evaluationId?: string } | null> => {
    const job = await getScoringJob(deps.registry, scoringJobId);
    if (job.status === 'succeeded') return null;
    if (job.kind === 'evaluation') {
      try {
        if ((await claimScoringJob(deps.registry, job.id, null)) === null) return null;
        const { evaluationId, rows } = await evaluateDatasetVersion(deps, job);
        return { rows, evaluationId };
      } catch (error) {
        const code = error instanceof LatheError ? error.code : 'evaluation_failed';
        await failScoringJob(deps.registry, job.id, { code, message: (error as Error).message }).catch(
          () => {},
        );
        throw error;
      }
    }
    const dir = await mkdtemp(join(tmpdir(), 'lathe-scoring-'));
    let model: LoadedModel | null = null;
    try {
      const modelVersion = await getModelVersion(deps.registry, job.modelVersionId);
      model = await loadModel(await deps.store.getBuffer(modelVersion.sha256), {
        expectedSha256: modelVersion.sha256,
      });
      const input = await openInput(deps, job, model);
      if ((await claimScoringJob(deps.registry, job.id, input.total)) === null) return null;

      const inputKeys = job.keyColumns as string[];
      let keyColumns = inputKeys;
      const format = job.format as ScoringFormat;
      const path = join(dir, `scores.${format}`);
      const out = createWriteStream(path);
      const write = async (text: string) => {
        if (!out.write(text)) await once(out, 'drain');
      };
      let scored = 0;
      let batch: { row: unknown; keys: Record<string, string> }[] = [];
      let columns: string[] | null = null;
      const flush = async () => {
        if (columns === null) {
          // Without declared key columns, a dataset version's own id columns are copied.
          if (keyColumns.length === 0) keyColumns = Object.keys(batch[0]?.keys ?? {});
          columns = outputColumns(model!.signature, keyColumns);
          await write(headerLine(format, columns));
        }
        const predictions = await model!.predict(batch.map((b) => b.row));
        let text = '';
        predictions.forEach((prediction, i) => {
          text += formatLine(
            format,
            columns!,
            outputValues(prediction, model!.signature, batch[i]!.keys, keyColumns),
          );
        });
        await write(text);
        scored += batch.length;
        batch = [];
        await reportScoringProgress(deps.registry, job.id, scored);
      };
      for await (const item of input.rows) {
        batch.push(item);
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length > 0 || columns === null) await flush();
      out.end();
      await once(out, 'finish');
      const stored = await deps.store.put(path);
      await completeScoringJob(deps.registry, job.id, {
        sha256: stored.sha256,
        sizeBytes: stored.sizeBytes,
        rows: scored,
      });
      return { rows: scored, sha256: stored.sha256 };
    } catch (error) {
      const code = error instanceof LatheError ? error.code : 'scoring_failed';
      await failScoringJob(deps.registry, job.id, { code, message: (error as Error).message }).catch(
        () => {},
      );
      throw error;
    } finally {
      model?.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  };
}
