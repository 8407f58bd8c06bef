import { describe, expect, it } from 'vitest';
import { baseEnvSchema, loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { tracingConfigFromEnv } from './tracing.ts';

const good = {
  DATABASE_URL: 'postgresql://u:secret@127.0.0.1:5432/lathe',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('tracingConfigFromEnv', () => {
  it('is off without an OTLP endpoint, or with an empty one (as Compose passes an unset variable)', () => {
    expect(tracingConfigFromEnv(loadConfig(baseEnvSchema, good), 'api')).toBeNull();
    const empty = { ...good, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_HEADERS: '' };
    expect(tracingConfigFromEnv(loadConfig(baseEnvSchema, empty), 'api')).toBeNull();
  });

  it('sends to <endpoint>/v1/traces as the role, with the code version, headers and resource attributes', () => {
    const env = loadConfig(baseEnvSchema, {
      ...good,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%3Db, x-tenant = lathe',
      OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=lathe,deployment.environment.name=prod',
      LATHE_CODE_VERSION: 'v1.2.3',
    });
    expect(tracingConfigFromEnv(env, 'train-worker')).toEqual({
      url: 'http://otel-collector:4318/v1/traces',
      headers: { 'x-api-key': 'a=b', 'x-tenant': 'lathe' },
      serviceName: 'train-worker',
      serviceVersion: 'v1.2.3',
      resourceAttributes: { 'service.namespace': 'lathe', 'deployment.environment.name': 'prod' },
      sampleRatio: 1,
    });
  });

  it('prefers the traces endpoint and OTEL_SERVICE_NAME, and takes a sample ratio', () => {
    const env = loadConfig(baseEnvSchema, {
      ...good,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/otlp/traces',
      OTEL_SERVICE_NAME: 'lathe-api-eu',
      LATHE_TRACE_SAMPLE_RATIO: '0.25',
    });
    expect(tracingConfigFromEnv(env, 'api')).toMatchObject({
      url: 'https://b.example/otlp/traces',
      serviceName: 'lathe-api-eu',
      sampleRatio: 0.25,
    });
  });

  it('refuses a malformed endpoint, header list or ratio with one line naming the variable', () => {
    for (const [variable, value] of [
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'otel-collector:4318'],
      ['OTEL_EXPORTER_OTLP_HEADERS', 'no-equals-sign'],
      ['LATHE_TRACE_SAMPLE_RATIO', '2'],
    ] as const) {
      const attempt = () => loadConfig(baseEnvSchema, { ...good, [variable]: value });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(new RegExp(`^${variable}: `));
    }
  });
});
