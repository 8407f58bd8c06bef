/**
 * `lathe score <model-version-id> --dataset-version <id> | --file <path>`: batch scoring as a
 * background job. Waits for it (progress on stderr) and downloads the output to --out, or to
 * stdout; --no-wait prints the job id and returns.
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { ScoringJobResource } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { CliError, type CliIo } from '../io.ts';

interface ScoreOptions {
  datasetVersion?: string;
  file?: string;
  keys?: string;
  output: string;
  out?: string;
  wait: boolean;
  pollMs: string;
}

export function registerScoreCommand(program: Command, client: () => ApiClient, io: CliIo): void {
  program
    .command('score')
    .argument('<modelVersionId>', 'the model version that scores')
    .option('--dataset-version <id>', 'score every row of this dataset version')
    .option('--file <path>', 'score this CSV or JSON Lines file')
    .option('--keys <columns>', 'comma-separated input columns copied beside the scores, e.g. CUSTOMER_ID')
    .option('--output <format>', 'csv or jsonl', 'csv')
    .option('--out <path>', 'write the scores here (default: stdout)')
    .option('--no-wait', 'print the job and return without waiting')
    .option('--poll-ms <ms>', 'how often to check the job', '500')
    .description('score a dataset version or a file with a model version, as a background job')
    .action(async (modelVersionId: string, options: ScoreOptions) => {
      if ((options.datasetVersion === undefined) === (options.file === undefined))
        throw new CliError('pass exactly one of --dataset-version <id> or --file <path>');
      if (options.output !== 'csv' && options.output !== 'jsonl')
        throw new CliError(`--output must be csv or jsonl, not ${JSON.stringify(options.output)}`);
      const api = client();
      const keys = (options.keys ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      let job: ScoringJobResource;
      if (options.datasetVersion !== undefined) {
        job = (
          await api.json<ScoringJobResource>('POST', `/model-versions/${modelVersionId}/score`, {
            datasetVersionId: options.datasetVersion,
            format: options.output,
            keyColumns: keys,
          })
        ).body;
      } else {
        const file = options.file!;
        if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
        const ext = extname(file).toLowerCase();
        const format = ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
        io.stderr.write(`uploading ${file} (${statSync(file).size} bytes)\n`);
        const query = new URLSearchParams({ format, output: options.output, fileName: basename(file) });
        if (keys.length > 0) query.set('keys', keys.join(','));
        const response = await api.raw('POST', `/model-versions/${modelVersionId}/score/file?${query}`, {
          // Why the cast: Node's web ReadableStream and the DOM lib's BodyInit name the same stream under two declarations.
          body: Readable.toWeb(createReadStream(file)) as unknown as NonNullable<RequestInit['body']>,
          duplex: 'half',
          headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
        });
        job = (await response.json()) as ScoringJobResource;
      }
      io.stderr.write(`scoring job ${job.id} queued\n`);
      if (!options.wait) {
        io.stdout.write(`${job.id}\n`);
        return;
      }
      const pollMs = Math.max(50, Number(options.pollMs) || 500);
      while (job.status === 'queued' || job.status === 'running') {
        await sleep(pollMs);
        job = (await api.json<ScoringJobResource>('GET', `/scoring-jobs/${job.id}`)).body;
        io.stderr.write(
          `${job.status}: ${job.rowsScored}${job.rowsTotal !== null ? ` of ${job.rowsTotal}` : ''} rows scored\n`,
        );
      }
      if (job.status === 'failed')
        throw new CliError(`scoring job ${job.id} failed (${job.errorCode}): ${job.errorMessage}`);
      const download = await api.raw('GET', job.downloadUrl!);
      if (!download.body) throw new CliError(`GET ${job.downloadUrl} returned no body`);
      const body = Readable.fromWeb(download.body as never);
      if (options.out !== undefined) {
        await pipeline(body, createWriteStream(options.out));
        io.stderr.write(`${job.rowsScored} rows scored: ${options.out}\n`);
      } else {
        for await (const chunk of body) io.stdout.write(String(chunk));
      }
    });
}
