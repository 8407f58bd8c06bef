/**
 * `lathe keys create|list|revoke`: API keys for people, scripts and serving clients (the
 * gateway takes the same keys). Needs an admin key. A new key is printed once, on stdout alone
 * so it can be captured (`KEY=$(lathe keys create …)`); the API never shows it again.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import type { ApiKey, CreatedApiKey } from '@lathe/contract';
import { formatTable } from '../table.ts';
import { CliError, type CliIo } from '../io.ts';

const ROLES = ['viewer', 'editor', 'admin'] as const;

const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : null);

export function registerKeyCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const keys = program
    .command('keys')
    .description('API keys (admin): for people, scripts and serving clients');

  keys
    .command('create')
    .argument('<name>', 'who or what uses the key, e.g. "checkout-service"')
    .option(
      '--role <role>',
      `${ROLES.join(', ')} (predicting needs viewer; posting outcomes, editor)`,
      'viewer',
    )
    .description('create a key; it is printed once, never again')
    .action(async (name: string, options: { role: string }) => {
      if (!(ROLES as readonly string[]).includes(options.role))
        throw new CliError(`--role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(options.role)}`);
      const { body } = await client().json<CreatedApiKey>('POST', '/api-keys', {
        name,
        role: options.role,
      });
      io.stdout.write(`${body.key}\n`);
      io.stderr.write(
        `created ${body.role} key ${body.prefix}… (${body.id}) for ${body.name}: store it now, it is not shown again\n`,
      );
    });

  keys
    .command('list')
    .option('--all', 'include revoked keys')
    .description('keys with their role and last use (never the keys themselves)')
    .action(async (options: { all?: boolean }) => {
      const { body } = await client().json<{ items: ApiKey[] }>(
        'GET',
        `/api-keys?includeRevoked=${options.all ? 'true' : 'false'}`,
      );
      io.stdout.write(
        formatTable(
          ['id', 'name', 'key', 'role', 'created', 'last used', 'revoked'],
          body.items.map((k) => [
            k.id,
            k.name,
            `${k.prefix}…`,
            k.role,
            when(k.createdAt),
            when(k.lastUsedAt),
            when(k.revokedAt),
          ]),
        ),
      );
    });

  keys
    .command('revoke')
    .argument('<id>', 'the key id (from `lathe keys list`)')
    .description('revoke a key: the API refuses it at once, the gateway within its key TTL (30 s)')
    .action(async (id: string) => {
      const { body } = await client().json<ApiKey>('DELETE', `/api-keys/${encodeURIComponent(id)}`);
      io.stdout.write(`revoked ${body.role} key ${body.prefix}… (${body.name})\n`);
    });
}
