/**
 * The registry's Prisma client, over the `pg` driver adapter (Prisma 7 needs no engine binary
 * this way). `schema` selects a Postgres schema: tests give each file its own.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Registry = PrismaClient;
export type RegistryTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface RegistryOptions {
  databaseUrl: string;
  /** Postgres schema holding Lathe's tables; default `public`. */
  schema?: string;
  /** Pool size; Prisma's default for pg is 10. */
  maxConnections?: number;
}

export function createRegistry(options: RegistryOptions): Registry {
  const schema = options.schema ?? schemaFromUrl(options.databaseUrl) ?? 'public';
  const adapter = new PrismaPg(
    {
      connectionString: stripSchemaParam(options.databaseUrl),
      max: options.maxConnections ?? 10,
      // Raw SQL in the repositories is unqualified; the search path points it at the schema.
      options: `-c search_path="${schema}"`,
    },
    { schema },
  );
  return new PrismaClient({ adapter });
}

/** Prisma's `?schema=` URL parameter, which `pg` itself does not understand. */
export function schemaFromUrl(databaseUrl: string): string | undefined {
  try {
    return new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  } catch {
    return undefined;
  }
}

export function stripSchemaParam(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.searchParams.delete('schema');
    return url.toString();
  } catch {
    return databaseUrl;
  }
}
