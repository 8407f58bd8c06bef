/**
 * `COPY … FROM STDIN` over a `pg` client, without pg-copy-streams (not a dependency here): a
 * submittable query that sends the statement, answers the server's CopyInResponse with the
 * given chunks (COPY text format, already serialised) and resolves with the row count of the
 * server's `COPY n`. It waits for the socket to drain between chunks, so a large load does not
 * pile up in memory.
 *   const rows = await copyFrom(client, 'COPY "T" ("a", "b") FROM STDIN', ['1\tx\n', '2\ty\n']);
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';

/** The parts of pg's Connection a COPY FROM uses (pg/lib/connection.js; not all are in @types/pg). */
interface CopyConnection {
  readonly stream: Duplex;
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** A pg client or pool client: `query(submittable)` hands the connection to `submit`. */
export interface SubmittingClient {
  query(submittable: { submit(connection: never): void }): unknown;
}

class CopyFromQuery {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private rows = 0;
  private failed: Error | null = null;

  constructor(
    private readonly text: string,
    private readonly chunks: Iterable<string | Buffer>,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.send(connection);
  }

  private async send(connection: CopyConnection): Promise<void> {
    try {
      for (const chunk of this.chunks) {
        connection.sendCopyFromChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (error) {
      // The server answers a CopyFail with an error, which rejects `done`.
      this.failed = error as Error;
      connection.sendCopyFail(`client error: ${(error as Error).message}`);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message.text ?? '');
    this.rows = match ? Number(match[1]) : 0;
  }

  handleReadyForQuery(): void {
    this.resolve(this.rows);
  }

  handleError(error: Error): void {
    this.reject(this.failed ?? error);
  }

  // A COPY FROM returns no rows; these are never called for one.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY … FROM STDIN` (`sql`) with `chunks` as its data; resolves with the rows copied. */
export function copyFrom(
  client: SubmittingClient,
  sql: string,
  chunks: Iterable<string | Buffer>,
): Promise<number> {
  const query = new CopyFromQuery(sql, chunks);
  client.query(query as unknown as { submit(connection: never): void });
  return query.done;
}

/** One COPY text-format field: backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | number): string {
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : text;
}
