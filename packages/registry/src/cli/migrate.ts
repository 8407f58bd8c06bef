// `pnpm --filter @lathe/registry run migrate`: apply pending migrations to DATABASE_URL.
import { baseEnvSchema, describeError, loadConfig } from '@lathe/core';
import { schemaFromUrl, stripSchemaParam } from '../client.ts';
import { migrate } from '../migrations/migration-runner.ts';
import { MIGRATIONS_DIR } from '../migrations/paths.ts';

try {
  const { DATABASE_URL } = loadConfig(baseEnvSchema.pick({ DATABASE_URL: true }), process.env);
  const result = await migrate({
    databaseUrl: stripSchemaParam(DATABASE_URL),
    migrationsDir: MIGRATIONS_DIR,
    schema: schemaFromUrl(DATABASE_URL) ?? 'public',
  });
  console.error(
    `[lathe migrate] ${result.applied.length} applied${result.applied.length ? ` (${result.applied.join(', ')})` : ''}, ${result.alreadyApplied.length} already applied`,
  );
} catch (error) {
  const { code, message } = describeError(error);
  console.error(`[lathe migrate] error (${code}): ${message}`);
  process.exit(1);
}
