/**
 * Rows of a query against a business database, read through a server-side cursor
 * (pg-cursor) in batches of 1,000 so memory stays bounded whatever the result size.
 * Values: numbers stay numbers, `numeric`/`bigint` arrive as strings (pg's default, exact),
 * timestamps as Date (mapped to epoch milliseconds downstream).
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { LatheError, redactText } from '@lathe/core';
import { describeConnectionUrl } from './connections.ts';
import type { OpenedSource, SourceRecord } from './source-record.ts';

const BATCH = 1000;

/** The connection string without its password, for metadata and messages. */
export function redactConnectionString(connectionString: string): string {
  return describeConnectionUrl(connectionString);
}

export async function openPostgres(options: {
  connectionString: string;
  query: string;
  params?: unknown[];
  connection?: string;
}): Promise<OpenedSource> {
  // What messages and the dataset version's metadata show: never the password or the parameters.
  const database = describeConnectionUrl(options.connectionString);
  const where =
    options.connection !== undefined ? `connection ${options.connection} (${database})` : database;
  const named = options.connection !== undefined ? { connection: options.connection } : {};
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: options.connectionString });
    await client.connect();
  } catch (error) {
    throw new LatheError(
      'source_unreachable',
      `cannot connect to ${where}: ${redactText((error as Error).message)}`,
      {
        httpStatus: 502,
        details: { ...named, database },
        cause: error,
      },
    );
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
        `query against ${where} failed${e.position ? ` at character ${e.position}` : ''}: ${redactText(e.message)}`,
        {
          httpStatus: 422,
          details: { ...named, database, sqlState: e.code, position: e.position },
          cause: error,
        },
      );
    }
  };
  const firstBatch = await readBatch();
  const fields =
    // Why the cast: pg-cursor keeps the row description on an undeclared `_result`: the column names of an empty result.
    (cursor as unknown as { _result?: { fields?: Array<{ name: string }> } })._result?.fields ?? [];
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
  return {
    format: 'postgres',
    columns,
    records: records(),
    description: { database, ...named, query: options.query },
  };
}
