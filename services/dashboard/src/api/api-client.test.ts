import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, withQuery } from './api-client.ts';

/** A stand-in for the network that records what was sent and answers with a fixed response. */
function recordingFetch(status: number, body: unknown) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetchImpl: fetchImpl as typeof fetch };
}

describe('createApiClient', () => {
  it('sends the key as a bearer token and JSON bodies', async () => {
    const net = recordingFetch(201, { id: 'r1' });
    const client = createApiClient({
      baseUrl: 'http://api',
      getKey: () => 'lk_secret',
      fetchImpl: net.fetchImpl,
    });
    const run = await client.post<{ id: string }>('/experiments/e1/runs', { trigger: 'manual' });
    expect(run.id).toBe('r1');
    const call = net.calls[0]!;
    expect(call.url).toBe('http://api/experiments/e1/runs');
    expect(call.init.method).toBe('POST');
    expect((call.init.headers as Record<string, string>).authorization).toBe('Bearer lk_secret');
    expect(JSON.parse(String(call.init.body))).toEqual({ trigger: 'manual' });
  });

  it('turns a 401 problem into an ApiError and reports it', async () => {
    const net = recordingFetch(401, {
      status: 401,
      code: 'missing_api_key',
      detail: 'this route needs an API key',
    });
    const seen: ApiError[] = [];
    const client = createApiClient({
      getKey: () => null,
      fetchImpl: net.fetchImpl,
      onUnauthenticated: (e) => seen.push(e),
    });
    await expect(client.get('/experiments')).rejects.toMatchObject({ status: 401, code: 'missing_api_key' });
    expect(seen).toHaveLength(1);
    expect((net.calls[0]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('does not report a 403 as a bad key', async () => {
    const net = recordingFetch(403, {
      code: 'insufficient_role',
      detail: 'this route needs the editor role',
    });
    const seen: ApiError[] = [];
    const client = createApiClient({
      getKey: () => 'k',
      fetchImpl: net.fetchImpl,
      onUnauthenticated: (e) => seen.push(e),
    });
    await expect(client.post('/experiments/e/runs')).rejects.toBeInstanceOf(ApiError);
    expect(seen).toHaveLength(0);
  });

  it('reports a network failure as status 0', async () => {
    const client = createApiClient({
      getKey: () => 'k',
      fetchImpl: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    await expect(client.get('/runs')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('withQuery', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(withQuery('/runs', { experimentId: 'a b', status: undefined, limit: 20, cursor: '' })).toBe(
      '/runs?experimentId=a+b&limit=20',
    );
    expect(withQuery('/runs', {})).toBe('/runs');
  });
});
