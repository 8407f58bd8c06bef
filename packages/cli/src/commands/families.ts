/**
 * `lathe families [family]`: the model-family catalogue of GET /model-families — every family
 * with its use case and description, or one family's hyperparameters with defaults and what
 * each does (the same zod schemas that validate an experiment's hyperparameters).
 */
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import type { ModelFamilyEntry } from '@lathe/contract';
import { CliError, type CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

const shown = (value: unknown) => (value === undefined ? '(unset)' : JSON.stringify(value));

export function registerFamilyCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  program
    .command('families')
    .argument('[family]', 'one family: list its hyperparameters')
    .option('--use-case <useCase>', 'only the families of this use case')
    .description('the model families, their hyperparameters, defaults and descriptions')
    .action(async (family: string | undefined, options: { useCase?: string }) => {
      const query = options.useCase ? `?useCase=${encodeURIComponent(options.useCase)}` : '';
      const { body } = await client().json<{ items: ModelFamilyEntry[] }>('GET', `/model-families${query}`);
      if (family === undefined) {
        io.stdout.write(
          formatTable(
            ['family', 'use case', 'description'],
            body.items.map((f) => [f.family, f.useCase, f.description]),
          ),
        );
        io.stdout.write('\nlathe families <family> lists its hyperparameters.\n');
        return;
      }
      const entry = body.items.find((f) => f.family === family);
      if (!entry)
        throw new CliError(
          `no model family ${JSON.stringify(family)}; the families are ${body.items.map((f) => f.family).join(', ')}`,
        );
      io.stdout.write(`${entry.family} (${entry.useCase}): ${entry.description}\n\n`);
      io.stdout.write(
        formatTable(
          ['hyperparameter', 'default', 'description'],
          entry.hyperparameters.map((h) => [h.name, shown(h.default), h.description]),
        ),
      );
      io.stdout.write(
        `\nSet them with lathe experiment create --hyperparameters '{"${entry.hyperparameters[0]?.name ?? 'epochs'}": …}' or lathe run start --set name=value.\n`,
      );
    });
}
