/**
 * Starts an HTTP server (an Express app, a health handler) and hands back how to stop it, as
 * a shutdown closer: stop accepting connections, let the requests in flight finish. A port
 * that cannot be taken (in use, not allowed) rejects, so the process ends with that reason.
 */
import { createServer, type RequestListener } from 'node:http';
import type { Closer } from './shutdown.ts';

export async function listenHttp(
  name: string,
  handler: RequestListener,
  options: { port: number; host: string },
): Promise<Closer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    name,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
