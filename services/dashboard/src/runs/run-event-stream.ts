/**
 * Follows GET /runs/:id/events. The browser's EventSource cannot send an Authorization
 * header, so the stream is read with fetch and parsed with eventsource-parser (the WHATWG
 * event-stream grammar). It reconnects after a dropped connection until `end` arrives or the
 * caller aborts; each event is handed over as a RunEvent for runStateReducer.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ApiClient } from '../api/api-client.ts';
import type { RunEvent } from './run-state.ts';

/** Maps one server-sent event to a RunEvent; unknown or malformed events are dropped. */
export function toRunEvent(message: Pick<EventSourceMessage, 'event' | 'data'>): RunEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  switch (message.event) {
    case 'run':
      return typeof record.id === 'string'
        ? { type: 'run', snapshot: record as Extract<RunEvent, { type: 'run' }>['snapshot'] }
        : null;
    case 'metric':
      return typeof record.name === 'string' &&
        typeof record.step === 'number' &&
        typeof record.value === 'number'
        ? { type: 'metric', name: record.name, step: record.step, value: record.value }
        : null;
    case 'end':
      return typeof record.status === 'string'
        ? { type: 'end', status: record.status as Extract<RunEvent, { type: 'end' }>['status'] }
        : null;
    default:
      return null;
  }
}

export interface FollowOptions {
  signal: AbortSignal;
  onEvent: (event: RunEvent) => void;
  /** Connection state, for the "live" badge. */
  onStatus?: (status: 'connecting' | 'live' | 'reconnecting' | 'ended', error?: Error) => void;
  retryMs?: number;
}

export async function followRunEvents(
  client: ApiClient,
  runId: string,
  options: FollowOptions,
): Promise<void> {
  const { signal, onEvent, onStatus } = options;
  let ended = false;
  onStatus?.('connecting');
  while (!ended && !signal.aborted) {
    try {
      const response = await client.stream(`/runs/${encodeURIComponent(runId)}/events`, signal);
      onStatus?.('live');
      const parser = createParser({
        onEvent: (message) => {
          const event = toRunEvent(message);
          if (!event) return;
          if (event.type === 'end') ended = true;
          onEvent(event);
        },
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      if (signal.aborted) return;
      const status = (error as { status?: number }).status;
      // A 4xx will not heal by retrying (bad key, unknown run): stop and say why.
      if (status !== undefined && status >= 400 && status < 500) {
        onStatus?.('ended', error as Error);
        return;
      }
      onStatus?.('reconnecting', error as Error);
    }
    if (!ended && !signal.aborted) {
      onStatus?.('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2000));
    }
  }
  if (ended) onStatus?.('ended');
}
