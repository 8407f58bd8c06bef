/**
 * A server span per HTTP request, named by the matched route (`POST /experiments/:id/runs`),
 * continuing the caller's trace when it sends a W3C `traceparent`. Typed structurally, like
 * http-metrics.ts, so this package does not depend on Express. With tracing off (see tracing.ts)
 * the API's no-op tracer makes this a few function calls per request.
 *
 * The span is made current for the rest of the request (`context.with` around `next`): what a
 * route starts, such as a run's enqueue spans, is its child. The AsyncLocalStorage context
 * manager carries it through the body parser's stream events and the handlers' awaits
 * (test/pipeline/pipeline-tracing.test.ts checks the parent ids).
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

interface TracedRequest {
  method: string;
  path?: string;
  route?: unknown;
  headers: Record<string, string | string[] | undefined>;
}
interface TracedResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}
type Middleware = (req: TracedRequest, res: TracedResponse, next: () => void) => void;

const headerGetter = {
  keys: (carrier: TracedRequest['headers']) => Object.keys(carrier),
  get: (carrier: TracedRequest['headers'], key: string) => carrier[key],
};

export function createHttpTracing(service: string): { middleware: Middleware } {
  const tracer = trace.getTracer(`lathe-${service}`);
  const middleware: Middleware = (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers, headerGetter);
    const span: Span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          ...(req.path ? { [ATTR_URL_PATH]: req.path } : {}),
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      // The route pattern, not the URL: ids in span names defeat grouping.
      const route = (req.route as { path?: string } | undefined)?.path;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    // `close` also fires when the client goes away before the response is written.
    res.once('finish', end);
    res.once('close', end);
    context.with(active, next);
  };

  return { middleware };
}
