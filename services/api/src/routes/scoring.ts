/**
 * Batch scoring: a model version scores a whole dataset version (JSON body) or an uploaded CSV /
 * JSON Lines file (streamed body) as a background job on the `scoring` queue; the job's row
 * reports progress, and once it succeeds its output (key columns and scores) is downloadable.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import {
  evaluateDatasetBodySchema,
  idParams,
  scoreDatasetBodySchema,
  scoreFileQuerySchema,
  scoringJobSchema,
  type ScoringJobResource,
} from '@lathe/contract';
import { HttpProblem } from '@lathe/core';
import { enqueueScoringJob } from '@lathe/queues';
import {
  type ScoringJob,
  createScoringJob,
  getDatasetVersion,
  getModelVersion,
  getScoringJob,
} from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { receiveUpload, uploadFormat } from '../ingest-upload.ts';
import type { RouteTable } from '../openapi/route-table.ts';

export function scoringJobResource(job: ScoringJob): ScoringJobResource {
  return {
    id: job.id,
    kind: job.kind as ScoringJobResource['kind'],
    split: job.split,
    evaluationId: job.evaluationId,
    modelVersionId: job.modelVersionId,
    datasetVersionId: job.datasetVersionId,
    inputName: job.inputName,
    format: job.format as ScoringJobResource['format'],
    keyColumns: job.keyColumns as string[],
    status: job.status as ScoringJobResource['status'],
    rowsTotal: job.rowsTotal,
    rowsScored: job.rowsScored,
    progress: job.rowsTotal
      ? Math.min(1, job.rowsScored / job.rowsTotal)
      : job.status === 'succeeded'
        ? 1
        : null,
    outputSha256: job.outputSha256,
    downloadUrl:
      job.status === 'succeeded' && job.kind === 'scores' ? `/scoring-jobs/${job.id}/output` : null,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function registerScoringRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;

  const queue = async (req: Parameters<typeof audit>[1], job: ScoringJob) => {
    await enqueueScoringJob(deps.pipeline, job.id);
    await audit(registry, req, {
      action: 'scoring_job.create',
      entity: 'scoring_job',
      entityId: job.id,
      after: job,
    });
    return scoringJobResource(job);
  };

  routes.add({
    method: 'post',
    path: '/model-versions/:id/score',
    summary:
      'Score every row of a dataset version with this model version, in the background; the job reports progress and, once done, a download link (CSV or JSON Lines with the key columns and scores)',
    tag: 'scoring',
    params: idParams,
    body: scoreDatasetBodySchema,
    status: 202,
    response: scoringJobSchema,
    handler: async ({ req, params, body }) => {
      const modelVersion = await getModelVersion(registry, params.id);
      const version = await getDatasetVersion(registry, body.datasetVersionId);
      const useCase = (version.schema as { useCase?: string }).useCase;
      if (useCase !== undefined && useCase !== modelVersion.useCase) {
        throw new HttpProblem(
          422,
          'scoring_use_case_mismatch',
          `model version ${modelVersion.modelName} v${modelVersion.version} is a ${modelVersion.useCase} model; dataset version ${version.id} holds ${useCase} data`,
        );
      }
      const job = await createScoringJob(registry, {
        modelVersionId: modelVersion.id,
        datasetVersionId: version.id,
        format: body.format,
        keyColumns: body.keyColumns,
      });
      return queue(req, job);
    },
  });

  routes.add({
    method: 'post',
    path: '/model-versions/:id/score/file',
    summary:
      'Score an uploaded CSV or JSON Lines file (streamed body) with this model version, in the background; ?keys= names the columns copied beside the scores',
    tag: 'scoring',
    params: idParams,
    query: scoreFileQuerySchema,
    rawBody: ['text/csv', 'application/x-ndjson'],
    status: 202,
    response: scoringJobSchema,
    handler: async ({ req, params, query }) => {
      const modelVersion = await getModelVersion(registry, params.id);
      if (deps.artifacts === undefined)
        throw new HttpProblem(
          501,
          'scoring_unavailable',
          'this API process was started without an artifact store',
        );
      if (modelVersion.useCase !== 'tabular' && modelVersion.useCase !== 'nlp')
        throw new HttpProblem(
          422,
          'scoring_unsupported',
          `an uploaded file can be scored by tabular and text models; ${modelVersion.modelName} is a ${modelVersion.useCase} model: score one of its dataset versions instead`,
        );
      const format = uploadFormat(req, query.format);
      const file = await receiveUpload(
        req,
        resolve(deps.config.uploadDir),
        format,
        deps.config.uploadLimitBytes,
      );
      try {
        const stored = await deps.artifacts.put(file.path);
        const keyColumns = (query.keys ?? '')
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean);
        const job = await createScoringJob(registry, {
          modelVersionId: modelVersion.id,
          input: { sha256: stored.sha256, format, name: query.fileName ?? `upload.${format}` },
          format: query.output,
          keyColumns,
        });
        return await queue(req, job);
      } finally {
        await rm(file.path, { force: true });
      }
    },
  });

  routes.add({
    method: 'post',
    path: '/model-versions/:id/evaluations',
    summary:
      'Evaluate this model version on any dataset version with its columns (your own hold-out), in the background: the same metrics, curves, slices and gate as the pipeline; GET /scoring-jobs/:id gives the evaluation once done',
    tag: 'scoring',
    params: idParams,
    body: evaluateDatasetBodySchema,
    status: 202,
    response: scoringJobSchema,
    handler: async ({ req, params, body }) => {
      const modelVersion = await getModelVersion(registry, params.id);
      const version = await getDatasetVersion(registry, body.datasetVersionId);
      const schema = version.schema as { useCase?: string; columns?: { name: string; role?: string }[] };
      if (schema.useCase !== undefined && schema.useCase !== modelVersion.useCase)
        throw new HttpProblem(
          422,
          'schema_mismatch',
          `model version ${modelVersion.modelName} v${modelVersion.version} is a ${modelVersion.useCase} model; dataset version ${version.id} holds ${schema.useCase} data`,
        );
      if (modelVersion.useCase === 'tabular') {
        const features = new Set(
          (schema.columns ?? []).filter((c) => c.role === 'feature').map((c) => c.name),
        );
        const inputs = ((modelVersion.signature as { inputs?: { name: string }[] }).inputs ?? []).map(
          (i) => i.name,
        );
        const missing = inputs.filter((name) => !features.has(name));
        if (missing.length > 0)
          throw new HttpProblem(
            422,
            'schema_mismatch',
            `dataset version ${version.id} lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} that model version ${modelVersion.modelName} v${modelVersion.version} reads; its features are ${[...features].join(', ') || 'none'}`,
          );
      }
      const job = await createScoringJob(registry, {
        modelVersionId: modelVersion.id,
        datasetVersionId: version.id,
        kind: 'evaluation',
        split: body.split,
        format: 'jsonl',
        keyColumns: [],
      });
      return queue(req, job);
    },
  });

  routes.add({
    method: 'get',
    path: '/scoring-jobs/:id',
    summary: 'A scoring job: status, rows scored, progress, and its download link once done',
    tag: 'scoring',
    params: idParams,
    response: scoringJobSchema,
    handler: async ({ params }) => scoringJobResource(await getScoringJob(registry, params.id)),
  });

  routes.add({
    method: 'get',
    path: '/scoring-jobs/:id/output',
    summary: 'Download the scores of a finished scoring job (CSV or JSON Lines)',
    tag: 'scoring',
    params: idParams,
    responseType: 'text/csv',
    handler: async ({ res, params }) => {
      const job = await getScoringJob(registry, params.id);
      if (job.status !== 'succeeded' || job.outputSha256 === null)
        throw new HttpProblem(
          409,
          'scoring_not_finished',
          `scoring job ${job.id} is ${job.status}${job.errorMessage ? ` (${job.errorMessage})` : ''}; its output exists once it succeeds`,
        );
      if (deps.artifacts === undefined)
        throw new HttpProblem(
          501,
          'scoring_unavailable',
          'this API process was started without an artifact store',
        );
      res.status(200);
      res.type(job.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      res.setHeader('content-disposition', `attachment; filename="scores-${job.id}.${job.format}"`);
      await pipeStreams(await deps.artifacts.get(job.outputSha256), res);
      return undefined;
    },
  });
}
