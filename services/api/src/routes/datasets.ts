/** Datasets and their versions: create, list, upload a version (streamed to ingest), profile, drift. */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createDataset, getDataset, getDatasetVersion } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import { LocalArtifactStore } from '@lathe/artifacts';
import type { Request, Response } from 'express';
import { receiveUpload, uploadFormat, type UploadTarget } from '../ingest-upload.ts';
import { ingestOptionsFromQuery } from '../ingest-options.ts';
import { ingestWithData } from '../ingest-with-data.ts';
import {
  createDatasetBody,
  datasetDriftSchema,
  datasetProfileSchema,
  datasetSchema,
  datasetUploadQuery,
  datasetUploadResultSchema,
  datasetVersionSchema,
  idParams,
  type IngestOptionsQuery,
  listDatasetsQuery,
  pageOf,
  paginationQuery,
  uploadResultSchema,
  versionUploadQuery,
} from '@lathe/contract';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate, sortOrder } from '../pagination.ts';

export function registerDatasetRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry } = deps;
  const ingest = deps.ingest ?? ingestWithData(registry, new LocalArtifactStore(deps.config.artifactDir));

  routes.add({
    method: 'post',
    path: '/datasets',
    summary: 'Create a dataset',
    tag: 'datasets',
    body: createDatasetBody,
    status: 201,
    response: datasetSchema,
    handler: async ({ req, body }) => {
      const dataset = await createDataset(registry, body);
      await audit(registry, req, {
        action: 'dataset.create',
        entity: 'dataset',
        entityId: dataset.id,
        after: dataset,
      });
      return dataset;
    },
  });

  routes.add({
    method: 'get',
    path: '/datasets',
    summary: 'List datasets',
    tag: 'datasets',
    query: listDatasetsQuery,
    response: pageOf(datasetSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.dataset.findMany({
          where: {
            ...(query.useCase ? { useCase: query.useCase } : {}),
            ...(query.name ? { name: { contains: query.name } } : {}),
          },
          orderBy: sortOrder(query.sort),
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/datasets/:id',
    summary: 'Get a dataset',
    tag: 'datasets',
    params: idParams,
    response: datasetSchema,
    handler: async ({ params }) => getDataset(registry, params.id),
  });

  routes.add({
    method: 'get',
    path: '/datasets/:id/versions',
    summary: 'List the versions of a dataset, newest first',
    tag: 'datasets',
    params: idParams,
    query: paginationQuery,
    response: pageOf(datasetVersionSchema),
    handler: async ({ params, query }) => {
      await getDataset(registry, params.id);
      return paginate(query, (page) =>
        registry.datasetVersion.findMany({
          where: { datasetId: params.id },
          orderBy: [{ version: 'desc' }, { id: 'desc' }],
          ...page,
        }),
      );
    },
  });

  /** Receives the body, ingests it with the query's options, audits what was created. */
  const upload = async (
    req: Request,
    res: Response,
    dataset: UploadTarget,
    query: IngestOptionsQuery & { format?: 'csv' | 'jsonl' | undefined },
  ) => {
    const options = ingestOptionsFromQuery(query);
    const format = uploadFormat(req, query.format);
    const file = await receiveUpload(
      req,
      resolve(deps.config.uploadDir),
      format,
      deps.config.uploadLimitBytes,
    );
    try {
      const result = await ingest({
        dataset,
        file,
        ...(query.fileName ? { fileName: query.fileName } : {}),
        options,
        source: { kind: 'upload', format, apiKeyId: req.apiKey?.id ?? null },
      });
      if (result.datasetCreated)
        await audit(registry, req, {
          action: 'dataset.create',
          entity: 'dataset',
          entityId: result.dataset.id,
          after: result.dataset,
        });
      if (result.created)
        await audit(registry, req, {
          action: 'dataset_version.create',
          entity: 'dataset_version',
          entityId: result.version.id,
          after: result.version,
        });
      res.status(result.created ? 201 : 200);
      return result;
    } finally {
      await rm(file.path, { force: true });
    }
  };

  routes.add({
    method: 'post',
    path: '/datasets/:id/versions',
    summary:
      'Upload content (CSV or JSON Lines, streamed) as a new version, with ingest options (target, column types, PII, split); identical content returns the existing version',
    tag: 'datasets',
    params: idParams,
    query: versionUploadQuery,
    rawBody: ['text/csv', 'application/x-ndjson'],
    status: 201,
    response: uploadResultSchema,
    handler: async ({ req, res, params, query }) => {
      await getDataset(registry, params.id);
      const { version, created } = await upload(req, res, { id: params.id }, query);
      res.json({ version, created });
      return undefined;
    },
  });

  routes.add({
    method: 'post',
    path: '/dataset-uploads',
    summary:
      'Upload content into the dataset of this name, creating it only if the file is accepted (a refused file leaves no empty dataset behind)',
    tag: 'datasets',
    query: datasetUploadQuery,
    rawBody: ['text/csv', 'application/x-ndjson'],
    status: 201,
    response: datasetUploadResultSchema,
    handler: async ({ req, res, query }) => {
      const { name, useCase, description, ...options } = query;
      const result = await upload(
        req,
        res,
        { name, useCase, ...(description !== undefined ? { description } : {}) },
        options,
      );
      res.json(result);
      return undefined;
    },
  });

  routes.add({
    method: 'get',
    path: '/dataset-versions/:id',
    summary: 'Get a dataset version',
    tag: 'datasets',
    params: idParams,
    response: datasetVersionSchema,
    handler: async ({ params }) => getDatasetVersion(registry, params.id),
  });

  routes.add({
    method: 'get',
    path: '/dataset-versions/:id/profile',
    summary: 'The profile of a dataset version (per-column statistics)',
    tag: 'datasets',
    params: idParams,
    response: datasetProfileSchema,
    handler: async ({ params }) => {
      const version = await getDatasetVersion(registry, params.id);
      return { datasetVersionId: version.id, schema: version.schema, profile: version.profile };
    },
  });

  routes.add({
    method: 'get',
    path: '/dataset-versions/:id/drift',
    summary: 'Drift of a dataset version against its parent version',
    tag: 'datasets',
    params: idParams,
    response: datasetDriftSchema,
    handler: async ({ params }) => {
      const version = await getDatasetVersion(registry, params.id);
      return { datasetVersionId: version.id, parentId: version.parentId, drift: version.drift };
    },
  });
}
