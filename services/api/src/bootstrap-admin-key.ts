/**
 * Creates the first admin key when no active admin key exists, and prints it once (stdout,
 * one line: the key). The bring-up script calls it; a second call prints nothing and exits 0,
 * because the key cannot be shown again (only its hash is stored).
 *
 *   pnpm --filter @lathe/api bootstrap-admin-key
 */
import { loadConfig, baseEnvSchema, runMain } from '@lathe/core';
import { createFirstAdminKey, createRegistry, generateApiKey, type Registry } from '@lathe/registry';

/** Returns the new key, or null when an admin key already exists. */
export async function bootstrapAdminKey(
  registry: Registry,
  name = 'bootstrap admin',
): Promise<string | null> {
  const secret = generateApiKey();
  const created = await createFirstAdminKey(registry, { name, prefix: secret.prefix, hash: secret.hash });
  return created ? secret.key : null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runMain('bootstrap-admin-key', async () => {
    const env = loadConfig(baseEnvSchema, process.env);
    const registry = createRegistry({ databaseUrl: env.DATABASE_URL });
    try {
      const key = await bootstrapAdminKey(registry);
      if (key) {
        process.stderr.write(
          'Created the bootstrap admin key. It is shown once; store it (e.g. export LATHE_API_KEY=…):\n',
        );
        process.stdout.write(`${key}\n`);
      } else {
        process.stderr.write(
          'An admin key already exists; nothing created (keys are shown only at creation).\n',
        );
      }
    } finally {
      await registry.$disconnect();
    }
  });
}
