/**
 * `lathe dataset ingest <file|url> --use-case … [--target … --categorical … …]`: streams the
 * upload with its ingest options; the dataset is created by the API only if the file is accepted.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { DatasetUploadResult } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { ingestQuery, withIngestFlags, type IngestFlags } from '../ingest-options.ts';
import { CliError, type CliIo } from '../io.ts';

const USE_CASES = ['recommendation', 'image', 'nlp', 'tabular', 'generative'];

function formatOf(location: string, explicit?: string): 'csv' | 'jsonl' {
  if (explicit === 'csv' || explicit === 'jsonl') return explicit;
  if (explicit) throw new CliError(`--format must be csv or jsonl, not ${JSON.stringify(explicit)}`);
  const ext = extname(new URL(location, 'file:///').pathname).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new CliError(`cannot tell the format of ${location} from its extension; pass --format csv|jsonl`);
}

interface ColumnTypeProposal {
  used: string;
  declared: boolean;
  proposed: string;
  reason: string;
}

export function registerDatasetCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const dataset = program.command('dataset').description('datasets and their versions');
  withIngestFlags(
    dataset
      .command('ingest')
      .argument('<source>', 'a CSV/JSONL file path or an http(s) URL')
      .requiredOption('--use-case <useCase>', `one of ${USE_CASES.join(', ')}`)
      .option('--name <name>', 'dataset name (default: the file name without extension)')
      .option('--format <format>', 'csv or jsonl (default: from the extension)'),
  )
    .description(
      'upload a file or URL as a new dataset version (identical content returns the existing version); a new dataset is created only if the file is accepted',
    )
    .addHelpText(
      'after',
      '\nExample:\n  lathe dataset ingest customers.csv --use-case tabular --target CHURNED --categorical SEGMENT,REGION --id CUSTOMER_ID --split stratified',
    )
    .action(
      async (source: string, options: IngestFlags & { useCase: string; name?: string; format?: string }) => {
        if (!USE_CASES.includes(options.useCase))
          throw new CliError(
            `--use-case must be one of ${USE_CASES.join(', ')}; got ${JSON.stringify(options.useCase)}`,
          );
        const api = client();
        const isUrl = /^https?:\/\//i.test(source);
        if (!isUrl && !existsSync(source)) throw new CliError(`no such file: ${source}`);
        const format = formatOf(source, options.format);
        const fileName = basename(new URL(source, 'file:///').pathname);
        const name = options.name ?? fileName.replace(/\.[^.]+$/, '');
        const query = ingestQuery(options);
        query.set('name', name);
        query.set('useCase', options.useCase);
        query.set('format', format);
        query.set('fileName', fileName);

        let body: NonNullable<RequestInit['body']>;
        if (isUrl) {
          const remote = await io.fetch(source);
          if (!remote.ok || !remote.body) throw new CliError(`GET ${source} answered ${remote.status}`);
          body = remote.body;
        } else {
          // Why the cast: Node's web ReadableStream and the DOM lib's BodyInit name the same stream under two declarations.
          body = Readable.toWeb(createReadStream(source)) as unknown as NonNullable<RequestInit['body']>;
          io.stderr.write(`uploading ${source} (${statSync(source).size} bytes)\n`);
        }
        const response = await api.raw('POST', `/dataset-uploads?${query}`, {
          body,
          duplex: 'half',
          headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
        });
        const result = (await response.json()) as DatasetUploadResult;
        // The contract leaves the profile open (@lathe/data computes it); only its proposals are read.
        const profile = result.version.profile as { columnTypes?: Record<string, ColumnTypeProposal> } | null;
        io.stdout.write(
          `${result.created ? 'created' : 'unchanged:'} ${name} v${result.version.version} (${result.version.rows} rows, sha256 ${result.version.sha256.slice(0, 12)}…) id ${result.version.id}\n`,
        );
        // Where inference would use a column differently than this ingest did, say so and how.
        for (const [column, t] of Object.entries(profile?.columnTypes ?? {})) {
          if (t.declared || t.proposed === t.used) continue;
          io.stdout.write(
            `  ${column}: used as ${t.used}; looks ${t.proposed} (${t.reason}); re-ingest with --${t.proposed} ${column} to use it so\n`,
          );
        }
      },
    );
}
