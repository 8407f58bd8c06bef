/** Opens any source of an ingest spec as a stream of records. */
import type { IngestSpec } from '@lathe/contract';
import { openDebianPackagesSample } from '../samples/debian-packages-sample.ts';
import { openFashionMnistSample } from '../samples/fashion-mnist-sample.ts';
import { openMnistSample } from '../samples/mnist.ts';
import { openSyntheticInteractions } from '../samples/synthetic-interactions.ts';
import { openIdx } from './idx-source.ts';
import { openImageFolder } from './image-folder-source.ts';
import { LatheError } from '@lathe/core';
import { NO_CONNECTIONS, type SourceConnections } from './connections.ts';
import { openPostgres } from './postgres-source.ts';
import type { OpenedSource } from './source-record.ts';
import { openTextSource } from './text-source.ts';

export interface OpenSourceOptions {
  signal?: AbortSignal;
  /** Named connections (Postgres URLs) from the worker's configuration; default none. */
  connections?: SourceConnections;
}

export async function openSource(spec: IngestSpec, options: OpenSourceOptions = {}): Promise<OpenedSource> {
  const { signal, connections = NO_CONNECTIONS } = options;
  const source = spec.source;
  const limit = spec.limit !== undefined ? { limit: spec.limit } : {};
  switch (source.kind) {
    case 'file':
    case 'url':
    case 'stream':
      return openTextSource(source, { ...(signal ? { signal } : {}), maxLineBytes: spec.maxLineBytes });
    case 'postgres': {
      const params = source.params ? { params: source.params } : {};
      if (source.connection !== undefined) {
        return openPostgres({
          connectionString: connections.url(source.connection),
          connection: source.connection,
          query: source.query,
          ...params,
        });
      }
      if (connections.inlineConnectionStrings === 'deny') {
        throw new LatheError(
          'inline_connection_refused',
          `source.connectionString: these ingest workers accept named connections only (LATHE_INLINE_CONNECTION_STRINGS=deny); name one of ${connections.names.join(', ') || '(none configured)'} ("connection": "<name>", docs/connections.md)`,
          { httpStatus: 422, permanent: true, details: { known: [...connections.names] } },
        );
      }
      return openPostgres({ connectionString: source.connectionString!, query: source.query, ...params });
    }
    case 'idx':
      return openIdx({
        images: source.images,
        labels: source.labels,
        ...(source.labelNames ? { labelNames: source.labelNames } : {}),
        ...limit,
      });
    case 'image-folder':
      return openImageFolder({
        path: source.path,
        channels: source.channels,
        ...(source.resize ? { resize: source.resize } : {}),
        ...limit,
      });
    case 'sample': {
      const options = { ...source.options, ...limit } as {
        limit?: number;
        seed?: number;
        part?: 'train' | 'test' | 'all';
      };
      if (source.name === 'mnist') return openMnistSample(options);
      if (source.name === 'fashion-mnist') return openFashionMnistSample(options);
      if (source.name === 'debian-packages') return openDebianPackagesSample(options);
      return openSyntheticInteractions({ ...source.options, ...limit });
    }
  }
}
