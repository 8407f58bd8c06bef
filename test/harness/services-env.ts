/**
 * Where the test servers are: DATABASE_URL / REDIS_URL from the environment, or the env file
 * that infra/local/up.sh writes (so `pnpm vitest` works after `npm run up`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function servicesEnv(): { databaseUrl: string; redisUrl: string } | undefined {
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  const envFile = join(process.env.LATHE_STATE_DIR ?? join(REPO_ROOT, '.lathe', 'local'), 'env');
  if ((!databaseUrl || !redisUrl) && existsSync(envFile)) {
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const [key, ...rest] = line.split('=');
      const value = rest.join('=');
      if (key === 'DATABASE_URL') databaseUrl ??= value;
      if (key === 'REDIS_URL') redisUrl ??= value;
    }
  }
  return databaseUrl && redisUrl ? { databaseUrl, redisUrl } : undefined;
}
