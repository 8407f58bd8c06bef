/**
 * OpenTelemetry tracing of one process. Its main.ts parses the OTLP settings with the rest of its
 * environment (`tracingEnvSchema`, part of `baseEnvSchema`), turns them into a `TracingConfig`
 * and calls `startTracing` first thing. Without an endpoint nothing is set up: the SDK is not even
 * loaded, the API's no-op tracer answers every `startSpan`, and no trace context is written into
 * job payloads (the no-op propagator injects nothing).
 *
 * With one, spans are batched and sent over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`; the W3C
 * trace-context propagator and an AsyncLocalStorage context manager are registered globally, so
 * the spans that packages start through `@opentelemetry/api` find their parent.
 */
import { DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Closer } from './shutdown.ts';

/** `key=value,key=value` (W3C baggage syntax), as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES take it. */
const keyValueList = z
  .string()
  .regex(
    /^\s*(?:[^=,\s]+\s*=\s*[^,]*)(?:,\s*[^=,\s]+\s*=\s*[^,]*)*\s*$/,
    'expected key=value pairs separated by commas',
  );

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'expected an http(s) URL like http://otel-collector:4318',
});

/** An empty value is no value: Compose's `${OTEL_EXPORTER_OTLP_ENDPOINT:-}` passes one through. */
const unsetIfEmpty = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The OTLP variables every process reads (the OpenTelemetry names, so collectors' docs apply). */
export const tracingEnvSchema = z.object({
  /** Base URL of an OTLP/HTTP receiver (a collector: http://otel-collector:4318); unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(httpUrl),
  /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: unsetIfEmpty(httpUrl),
  /** Headers sent with each export (an ingest key): `key=value,…`, values URL-encoded. */
  OTEL_EXPORTER_OTLP_HEADERS: unsetIfEmpty(keyValueList),
  /** The spans' `service.name`; default the process's role (`api`, `train-worker`, …). */
  OTEL_SERVICE_NAME: unsetIfEmpty(z.string().min(1)),
  /** More resource attributes: `service.namespace=lathe,deployment.environment.name=prod`. */
  OTEL_RESOURCE_ATTRIBUTES: unsetIfEmpty(keyValueList),
  /** The share of new traces kept (a trace started elsewhere follows its parent's decision). */
  LATHE_TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
});

export type TracingEnv = z.infer<typeof tracingEnvSchema>;

export interface TracingConfig {
  /** Where spans are sent: an OTLP/HTTP traces URL. */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion?: string;
  resourceAttributes: Record<string, string>;
  sampleRatio: number;
  /** How long spans wait in the batch before an export (the SDK's default 5 s; tests shorten it). */
  exportDelayMs?: number;
}

function parseKeyValues(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!list) return out;
  for (const pair of list.split(',')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return out;
}

/** The process's tracing, or null when no endpoint is configured (tracing off). */
export function tracingConfigFromEnv(
  env: TracingEnv & { LATHE_CODE_VERSION?: string },
  serviceName: string,
): TracingConfig | null {
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  if (!url) return null;
  return {
    url,
    headers: parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    ...(env.LATHE_CODE_VERSION ? { serviceVersion: env.LATHE_CODE_VERSION } : {}),
    resourceAttributes: parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES),
    sampleRatio: env.LATHE_TRACE_SAMPLE_RATIO,
  };
}

export interface Tracing extends Closer {
  /** Whether spans are recorded and exported (an endpoint was configured). */
  readonly enabled: boolean;
  /** Sends the spans ended so far (tests; shutdown flushes by itself). */
  flush(): Promise<void>;
}

/**
 * Starts tracing for this process (null: off). Its closer flushes the spans still batched and
 * unregisters the globals; put it last among the shutdown closers, so the spans of the work that
 * the closers before it let finish are sent too.
 */
export async function startTracing(config: TracingConfig | null, logger?: Logger): Promise<Tracing> {
  if (!config) return { name: 'tracing', enabled: false, flush: async () => {}, close: async () => {} };
  // Loaded only when tracing is on: a process without an endpoint pays nothing for the SDK.
  const [
    { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    otlp,
    res,
    sc,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  if (logger) {
    // Export failures (a collector away) reach the log as warnings, not stderr.
    diag.setLogger(
      {
        error: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
        warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  }
  const provider = new NodeTracerProvider({
    resource: res.resourceFromAttributes({
      ...config.resourceAttributes,
      [sc.ATTR_SERVICE_NAME]: config.serviceName,
      ...(config.serviceVersion ? { [sc.ATTR_SERVICE_VERSION]: config.serviceVersion } : {}),
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(new otlp.OTLPTraceExporter({ url: config.url, headers: config.headers }), {
        ...(config.exportDelayMs !== undefined ? { scheduledDelayMillis: config.exportDelayMs } : {}),
      }),
    ],
  });
  // Global tracer provider, W3C trace-context (and baggage) propagator, AsyncLocalStorage context.
  provider.register();
  logger?.info({ url: config.url, service: config.serviceName }, 'tracing: exporting spans over OTLP');
  return {
    name: 'tracing',
    enabled: true,
    flush: () => provider.forceFlush(),
    async close() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      }
    },
  };
}
