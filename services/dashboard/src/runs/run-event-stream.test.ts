import { describe, expect, it } from 'vitest';
import { createApiClient } from '../api/api-client.ts';
import { followRunEvents, toRunEvent } from './run-event-stream.ts';
import type { RunEvent } from './run-state.ts';

describe('toRunEvent', () => {
  it('maps run, metric and end events and drops the rest', () => {
    expect(toRunEvent({ event: 'metric', data: '{"name":"loss","step":2,"value":0.5}' })).toEqual({
      type: 'metric',
      name: 'loss',
      step: 2,
      value: 0.5,
    });
    expect(toRunEvent({ event: 'run', data: '{"id":"r","status":"running"}' })).toEqual({
      type: 'run',
      snapshot: { id: 'r', status: 'running' },
    });
    expect(toRunEvent({ event: 'end', data: '{"status":"failed"}' })).toEqual({
      type: 'end',
      status: 'failed',
    });
    expect(toRunEvent({ event: 'metric', data: '{"name":"loss","step":"2","value":0.5}' })).toBeNull();
    expect(toRunEvent({ event: 'ping', data: '{}' })).toBeNull();
    expect(toRunEvent({ event: 'run', data: 'not json' })).toBeNull();
  });
});

describe('followRunEvents', () => {
  it('parses a stream split at arbitrary byte boundaries and stops at end', async () => {
    const text =
      'id: 1\nevent: run\ndata: {"id":"r1","status":"running","stages":[]}\n\n' +
      ': keep-alive\n\n' +
      'id: 2\nevent: metric\ndata: {"name":"loss","step":1,"value":0.75}\n\n' +
      'id: 3\nevent: end\ndata: {"status":"succeeded"}\n\n';
    const bytes = new TextEncoder().encode(text);
    let connections = 0;
    const fetchImpl = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      connections++;
      expect((init?.headers as Record<string, string>).authorization).toBe('Bearer k');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }) as typeof fetch;
    const client = createApiClient({ getKey: () => 'k', fetchImpl });
    const events: RunEvent[] = [];
    const statuses: string[] = [];
    await followRunEvents(client, 'r1', {
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      retryMs: 1,
    });
    expect(events.map((e) => e.type)).toEqual(['run', 'metric', 'end']);
    expect(connections).toBe(1);
    expect(statuses.at(-1)).toBe('ended');
  });

  it('reconnects after a dropped stream and gives up on a 401', async () => {
    let connections = 0;
    const fetchImpl = (async () => {
      connections++;
      if (connections === 1)
        return new Response('event: metric\ndata: {"name":"loss","step":1,"value":1}\n\n', { status: 200 });
      return new Response(JSON.stringify({ code: 'invalid_api_key', detail: 'revoked' }), { status: 401 });
    }) as typeof fetch;
    const client = createApiClient({ getKey: () => 'k', fetchImpl });
    const events: RunEvent[] = [];
    const errors: string[] = [];
    await followRunEvents(client, 'r1', {
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
      onStatus: (_s, e) => e && errors.push(e.message),
      retryMs: 1,
    });
    expect(connections).toBe(2);
    expect(events).toHaveLength(1);
    expect(errors.at(-1)).toMatch(/refused the key/);
  });
});
