/** `lathe models list` and `lathe alias set <model> <alias> <version>`. */
import type { Command } from 'commander';
import type { ModelAlias, ModelSummary } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import { formatTable } from '../table.ts';
import { CliError, type CliIo } from '../io.ts';

export function registerModelCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  program
    .command('models')
    .description('model versions')
    .command('list')
    .description('models with their latest version and aliases')
    .action(async () => {
      const { body } = await client().json<{ items: ModelSummary[] }>('GET', '/models');
      io.stdout.write(
        formatTable(
          ['model', 'family', 'versions', 'latest', 'aliases', 'created'],
          body.items.map((m) => [
            m.modelName,
            m.latest.modelFamily,
            m.versions,
            `v${m.latest.version}`,
            Object.entries(m.aliases)
              .map(([a, v]) => `${a}→v${v}`)
              .join(' ') || '-',
            m.latest.createdAt.slice(0, 19),
          ]),
        ),
      );
    });

  program
    .command('alias')
    .description('model aliases (production, challenger…)')
    .command('set')
    .argument('<model>')
    .argument('<alias>')
    .argument('<version>', 'version number, e.g. 3 or v3')
    .option('--reason <text>')
    .description('point an alias at a model version (safe against concurrent moves: If-Match)')
    .action(async (model: string, alias: string, versionText: string, options: { reason?: string }) => {
      const version = Number.parseInt(versionText.replace(/^v/i, ''), 10);
      if (!Number.isInteger(version) || version < 1)
        throw new CliError(
          `version must be a positive number like 3 or v3; got ${JSON.stringify(versionText)}`,
        );
      const api = client();
      const path = `/models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}`;
      let etag: string | null = null;
      try {
        etag = (await api.json('GET', path)).headers.get('etag');
      } catch (error) {
        if (!(error instanceof CliError) || !/does not exist/.test(error.message)) throw error;
      }
      const { body } = await api.json<ModelAlias>(
        'PUT',
        path,
        { version, ...(options.reason ? { reason: options.reason } : {}) },
        etag ? { 'if-match': etag } : {},
      );
      io.stdout.write(`${model}@${alias} → v${body.modelVersion?.version ?? version}\n`);
    });
}
