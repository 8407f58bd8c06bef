/**
 * Rows of a query against a business database, read through a server-side cursor
 * (pg-cursor) in batches of 1,000 so memory stays bounded whatever the result size.
 * Values: numbers stay numbers, `numeric`/`bigint` arrive as strings (pg's default, exact),
 * timestamps as Date (mapped to epoch milliseconds downstream).
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { LatheError } from '@lathe/core';
import type { OpenedSource, SourceRecord } from './source-record.ts';

const BATCH = 1000;

/** The connection string without its password, for metadata and messages. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}

export async function openPostgres(options: { connectionString: string; query: string; params?: unknown[] }): Promise<OpenedSource> {
  const where = redactConnectionString(options.connectionString);
  const client = new pg.Client({ connectionString: options.connectionString });
  try {
    await client.connect();
  } catch (error) {
    throw new LatheError('source_unreachable', `cannot connect to ${where}: ${(error as Error).message}`, {
      httpStatus: 502,
      details: { database: where },
      cause: error,
    });
  }
  const cursor = client.query(new Cursor(options.query, options.params ?? []));
  const readBatch = async (): Promise<Record<string, unknown>[]> => {
    try {
      return await cursor.read(BATCH);
    } catch (error) {
      await client.end().catch(() => undefined);
      const e = error as { message: string; code?: string; position?: string };
      throw new LatheError(
        'source_query_failed',
        `query against ${where} failed${e.position ? ` at character ${e.position}` : ''}: ${e.message}`,
        { httpStatus: 422, details: { database: where, sqlState: e.code, position: e.position }, cause: error },
      );
    }
  };
  const firstBatch = await readBatch();
  const fields = (cursor as unknown as { _result?: { fields?: Array<{ name: string }> } })._result?.fields ?? [];
  const columns = fields.length > 0 ? fields.map((f) => f.name) : Object.keys(firstBatch[0] ?? {});
  async function* records(): AsyncIterable<SourceRecord> {
    let row = 0;
    try {
      let batch = firstBatch;
      while (batch.length > 0) {
        for (const values of batch) {
          row += 1;
          yield { values, row };
        }
        batch = await readBatch();
      }
    } finally {
      await cursor.close().catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }
  return { format: 'postgres', columns, records: records(), description: { database: where, query: options.query } };
}
