/**
 * Runs once before the suite: makes sure Postgres and Redis are up (calling the project's
 * bring-up script when no URLs are known) and exports their URLs to the test workers.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, servicesEnv } from './services-env.ts';

export default function setup(): void {
  let env = servicesEnv();
  if (!env) {
    execFileSync('bash', [join(REPO_ROOT, 'infra/local/up.sh')], { stdio: 'inherit' });
    env = servicesEnv();
  }
  if (!env) throw new Error('Postgres and Redis are not available: run `npm run up` first');
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.REDIS_URL = env.redisUrl;
}
