/**
 * The gateway's own Prometheus series, beside the HTTP ones: per endpoint, model version and
 * arm (the A/B variant, `none` outside a test; `shadow` for a mirrored call) the latency of
 * each answered request and its server-side errors; per model version the model calls and how
 * many rows each merged (what micro-batching buys); and the shadow comparisons.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface ServedLabels {
  endpoint: string;
  modelVersionId: string;
  arm: string;
  route: 'predict' | 'recommend';
}

export interface ServingMetrics {
  /** Where these series are registered (/metrics exports it beside the HTTP series). */
  registry: Registry;
  served(labels: ServedLabels, seconds: number, failed: boolean): void;
  modelCall(
    modelVersionId: string,
    kind: 'predict' | 'recommend',
    batch: { requests: number; rows: number },
  ): void;
  predicted(endpoint: string, arm: string, instances: number): void;
}

export function createServingMetrics(registry: Registry = new Registry()): ServingMetrics {
  const labelNames = ['endpoint', 'model_version', 'arm', 'route'] as const;
  const latency = new Histogram({
    name: 'lathe_serve_served_seconds',
    help: 'Latency of answered endpoint requests by endpoint, model version and arm',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'lathe_serve_served_errors_total',
    help: 'Endpoint requests that failed on the server side (5xx) by endpoint, model version and arm',
    labelNames,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'lathe_serve_model_calls_total',
    help: 'Model calls by model version and kind (one per micro-batch)',
    labelNames: ['model_version', 'kind'],
    registers: [registry],
  });
  const batchedRequests = new Counter({
    name: 'lathe_serve_model_call_requests_total',
    help: 'Requests answered by model calls, by model version and kind',
    labelNames: ['model_version', 'kind'],
    registers: [registry],
  });
  const rows = new Histogram({
    name: 'lathe_serve_model_call_rows',
    help: 'Rows (instances, scored pairs) merged into one model call',
    labelNames: ['model_version', 'kind'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384],
    registers: [registry],
  });
  const predictions = new Counter({
    name: 'lathe_serve_predictions_total',
    help: 'Predicted instances by endpoint and A/B variant ("none" outside a test)',
    labelNames: ['endpoint', 'variant'],
    registers: [registry],
  });
  return {
    registry,
    served(labels, seconds, failed) {
      const values = {
        endpoint: labels.endpoint,
        model_version: labels.modelVersionId,
        arm: labels.arm,
        route: labels.route,
      };
      latency.observe(values, seconds);
      if (failed) errors.inc(values);
    },
    modelCall(modelVersionId, kind, batch) {
      const values = { model_version: modelVersionId, kind };
      calls.inc(values);
      batchedRequests.inc(values, batch.requests);
      rows.observe(values, batch.rows);
    },
    predicted(endpoint, arm, instances) {
      predictions.inc({ endpoint, variant: arm }, instances);
    },
  };
}
