/** Opens any source of an ingest spec as a stream of records. */
import { DataSourceError } from '../data-errors.ts';
import type { IngestSpec } from '../ingest-spec.ts';
import { openMnistSample } from '../samples/mnist.ts';
import { openSyntheticInteractions } from '../samples/synthetic-interactions.ts';
import type { OpenedSource } from './source-record.ts';
import { openTextSource } from './text-source.ts';

export async function openSource(spec: IngestSpec, signal?: AbortSignal): Promise<OpenedSource> {
  const source = spec.source;
  switch (source.kind) {
    case 'file':
    case 'url':
    case 'stream':
      return openTextSource(source, signal);
    case 'sample': {
      const options = source.options as { limit?: number; seed?: number };
      if (source.name === 'mnist') return openMnistSample(options);
      if (source.name === 'synthetic-interactions') return openSyntheticInteractions(source.options);
      throw new DataSourceError('source_not_supported', `the ${source.name} sample is not available in this version of Lathe (available: mnist, synthetic-interactions)`);
    }
    default:
      throw new DataSourceError('source_not_supported', `sources of kind ${source.kind} are not supported yet (supported: file, url, stream, sample)`);
  }
}
