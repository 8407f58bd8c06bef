/**
 * The PII hashing salt from a process's environment (`LATHE_PII_SALT`), read by the services
 * that ingest (the ingest worker, the API's uploads) and passed down as configuration. There is
 * no default: a salt in the source code is public, and a public salt lets anyone hash guesses.
 */
import { ConfigError } from '@lathe/core';

export function piiSaltFromEnv(env: Record<string, string | undefined>): string | undefined {
  const salt = env.LATHE_PII_SALT;
  if (salt === undefined || salt === '') return undefined;
  if (salt.length < 8)
    throw new ConfigError(
      `LATHE_PII_SALT: expected a secret of 8 or more characters (it keys the HMAC of hashed PII columns); got ${salt.length}`,
      { variable: 'LATHE_PII_SALT' },
    );
  return salt;
}
