/**
 * The sha256 of the workspace lockfile (pnpm-lock.yaml), found by walking up from a directory:
 * the dependency versions a run trained with (tfjs and its kernels included), recorded on the
 * run so a reproduction can tell a changed environment from a changed result.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function lockfileSha256(fromDir: string, name = 'pnpm-lock.yaml'): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes !== undefined) return createHash('sha256').update(bytes).digest('hex');
    if (dirname(dir) === dir) return undefined;
  }
}
