import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's prisma/ folder (the schema stays at the top level, as the layout promises). */
export const PRISMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma');
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = join(PRISMA_DIR, 'schema.prisma');
