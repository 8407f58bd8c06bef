/**
 * Trace context through the queues. Enqueueing a job starts a PRODUCER span (a child of whatever
 * is current: the API request that started the run, a schedule tick) and writes its W3C
 * `traceparent` into the job's payload (`trace`, declared once in catalog.ts); each attempt of
 * the job runs inside a CONSUMER span that continues from it, so a run is one trace from the
 * request to the last stage, across processes. With tracing off (no exporter registered, see
 * @lathe/core tracing.ts) the propagator injects nothing: payloads stay `{ runId }` and every
 * span here is the API's no-op one.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { DelayedError, type Job } from 'bullmq';
import type { TraceContext } from './catalog.ts';

// Messaging attributes: incubating in @opentelemetry/semantic-conventions, whose docs advise
// copying them rather than importing the unstable entry point.
const ATTR_MESSAGING_SYSTEM = 'messaging.system';
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';

/** Lathe's own span attributes. */
export const LATHE_SPAN_ATTRIBUTES = {
  runId: 'lathe.run.id',
  stage: 'lathe.stage',
  attempt: 'lathe.attempt',
  scoringJobId: 'lathe.scoring_job.id',
  scheduleId: 'lathe.schedule.id',
  outcome: 'lathe.outcome',
} as const;

const tracer = trace.getTracer('lathe-queues');

export interface EnqueueSpan {
  /** What goes into the job's payload as `trace`; undefined while tracing is off. */
  readonly trace: TraceContext | undefined;
  end(error?: unknown): void;
}

/** Starts the producer span of one job about to be added to `queue`; end it once Redis answered. */
export function startEnqueueSpan(queue: string, jobId: string, attributes: Attributes = {}): EnqueueSpan {
  const span = tracer.startSpan(`send ${queue}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR_MESSAGING_SYSTEM]: 'bullmq',
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_OPERATION_NAME]: 'send',
      [ATTR_MESSAGING_DESTINATION_NAME]: queue,
      [ATTR_MESSAGING_MESSAGE_ID]: jobId,
      ...attributes,
    },
  });
  // Into a scratch carrier, keeping only the trace context: the global propagator also writes
  // `baggage`, which the payload does not carry.
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  const traceContext: TraceContext | undefined = carrier.traceparent
    ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) }
    : undefined;
  return {
    trace: traceContext,
    end(error) {
      if (error !== undefined) failSpan(span, error);
      span.end();
    },
  };
}

/**
 * Runs one attempt of a job inside its consumer span, the child of the producer span whose
 * context the payload carries (a job without one, such as a schedule tick, starts a trace).
 * A parked attempt (DelayedError: the registry is away) is not an error.
 */
export async function traceJobAttempt<T>(
  job: Job,
  queue: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const carried = (job.data as { trace?: unknown } | undefined)?.trace;
  const parent =
    carried && typeof carried === 'object' ? propagation.extract(ROOT_CONTEXT, carried) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    `process ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: 'bullmq',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [ATTR_MESSAGING_DESTINATION_NAME]: queue,
        ...(job.id ? { [ATTR_MESSAGING_MESSAGE_ID]: job.id } : {}),
        [LATHE_SPAN_ATTRIBUTES.attempt]: job.attemptsMade + 1,
        ...attributes,
      },
    },
    parent,
  );
  try {
    const result = await context.with(trace.setSpan(parent, span), work);
    const outcome = (result as { outcome?: unknown } | null | undefined)?.outcome;
    if (typeof outcome === 'string') span.setAttribute(LATHE_SPAN_ATTRIBUTES.outcome, outcome);
    return result;
  } catch (error) {
    if (error instanceof DelayedError) span.setAttribute(LATHE_SPAN_ATTRIBUTES.outcome, 'parked');
    else failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function failSpan(span: Span, error: unknown): void {
  const described = error instanceof Error ? error : new Error(String(error));
  span.recordException(described);
  span.setAttribute(ATTR_ERROR_TYPE, (error as { code?: unknown }).code?.toString() ?? described.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: described.message });
}
