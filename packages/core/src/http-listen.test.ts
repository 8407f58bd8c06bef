import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenHttp } from './http-listen.ts';

/** A port held by a plain TCP server until `release`. */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    release: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('listenHttp', () => {
  it('serves until closed', async () => {
    const held = await holdPort();
    await held.release();
    const http = await listenHttp('http', (_req, res) => res.end('ok'), {
      port: held.port,
      host: '127.0.0.1',
    });
    expect(await (await fetch(`http://127.0.0.1:${held.port}/`)).text()).toBe('ok');
    await http.close();
    await expect(fetch(`http://127.0.0.1:${held.port}/`)).rejects.toThrow();
  });

  it('rejects a port that is already taken, naming the reason', async () => {
    const held = await holdPort();
    try {
      await expect(
        listenHttp('http', (_req, res) => res.end('ok'), { port: held.port, host: '127.0.0.1' }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await held.release();
    }
  });
});
