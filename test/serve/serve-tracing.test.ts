/**
 * The gateway's process traces its requests when OTEL_EXPORTER_OTLP_ENDPOINT is set: a predict
 * request becomes a server span named by its route, continuing the caller's W3C traceparent, and
 * SIGTERM flushes it to the OTLP receiver before the process exits. The real main.ts, so this
 * also checks that a process reads its OTLP settings at the edge.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  startGatewayProcess,
  type GatewayProcess,
  type TestDatabase,
} from '../harness/index.ts';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver } from '../harness/otlp-receiver.ts';

let db: TestDatabase;
let receiver: OtlpReceiver;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase('serve-tracing');
  receiver = await startOtlpReceiver();
  gateway = await startGatewayProcess({
    databaseUrl: db.schemaUrl,
    artifactDir: mkdtempSync(join(tmpdir(), 'lathe-serve-tracing-')),
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, '') },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('gateway tracing', () => {
  it('exports the predict route’s server span, a child of the caller’s span, by shutdown at the latest', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await fetch(`${gateway!.url}/v1/endpoints/no-such-endpoint/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ unitId: 'u-1', instances: [{ features: { x: 1 } }] }),
    });
    expect(response.status).toBe(404);
    await gateway!.stop();

    const span = receiver.spans.find((s) => s.name === 'POST /v1/endpoints/:endpoint/predict');
    expect(span).toBeDefined();
    expect(span).toMatchObject({
      service: 'serve',
      kind: OTLP_SPAN_KIND.server,
      traceId,
      parentSpanId: callerSpanId,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/v1/endpoints/:endpoint/predict',
        'http.response.status_code': 404,
      },
    });
    expect(receiver.refused).toBe(0);
  });
});
