/**
 * `lathe run start --follow`: reads the run's server-sent events and shows one progress bar
 * per stage (cli-progress) with the latest epoch metrics. Without a terminal (CI, pipes) it
 * prints one line per change instead, so logs stay readable.
 */
import cliProgress from 'cli-progress';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { RunSnapshot } from '@lathe/contract';
import type { ApiClient } from './api-client.ts';
import type { CliIo } from './io.ts';

export interface StageView {
  update(run: RunSnapshot): void;
  metric(point: { name: string; step: number; value: number }, stage: string): void;
  stop(): void;
}

function formatMetric(value: number): string {
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.001 && value !== 0)
    ? value.toExponential(3)
    : value.toFixed(4);
}

/** Plain lines, one per stage change and one per epoch of metrics. */
export function lineView(io: CliIo): StageView {
  const last = new Map<string, string>();
  return {
    update(run) {
      for (const s of run.stages) {
        const line = `${s.stage.padEnd(8)} ${s.status}${s.status === 'running' ? ` ${Math.round(s.progress * 100)}%` : ''}${s.cacheHit ? ' (cached)' : ''}`;
        if (last.get(s.stage) !== line) {
          io.stdout.write(`${line}\n`);
          last.set(s.stage, line);
        }
      }
    },
    metric(point, stage) {
      io.stdout.write(`${stage.padEnd(8)} step ${point.step} ${point.name}=${formatMetric(point.value)}\n`);
    },
    stop() {},
  };
}

/** One live bar per stage, with the latest metrics of the stage next to its bar. */
export function barView(io: CliIo): StageView {
  const multibar = new cliProgress.MultiBar(
    {
      format: '{stage} |{bar}| {percentage}% {status} {metrics}',
      hideCursor: true,
      clearOnComplete: false,
      // Why the cast: cli-progress is typed for a Node stream; CliIo's stdout is the write/isTTY/columns subset it uses.
      stream: io.stdout as unknown as NodeJS.WritableStream,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const metrics = new Map<string, Map<string, string>>();
  const payload = (s: RunSnapshot['stages'][number]) => ({
    stage: s.stage.padEnd(8),
    status: s.status + (s.cacheHit ? ' (cached)' : ''),
    metrics: [...(metrics.get(s.stage)?.entries() ?? [])].map(([k, v]) => `${k}=${v}`).join(' '),
  });
  let states: RunSnapshot['stages'][number][] = [];
  return {
    update(run) {
      states = run.stages;
      for (const s of run.stages) {
        const bar = bars.get(s.stage) ?? multibar.create(100, 0, payload(s));
        bars.set(s.stage, bar);
        bar.update(Math.round((s.status === 'succeeded' ? 1 : s.progress) * 100), payload(s));
      }
    },
    metric(point, stage) {
      const stageMetrics = metrics.get(stage) ?? new Map<string, string>();
      stageMetrics.set(point.name, `${formatMetric(point.value)}@${point.step}`);
      metrics.set(stage, stageMetrics);
      const state = states.find((s) => s.stage === stage);
      if (state) bars.get(stage)?.update(Math.round(state.progress * 100), payload(state));
    },
    stop() {
      multibar.stop();
    },
  };
}

/** Follows a run until it ends; returns its final status. */
export async function followRun(client: ApiClient, io: CliIo, runId: string): Promise<RunSnapshot | null> {
  const view = io.stdout.isTTY ? barView(io) : lineView(io);
  const response = await client.raw('GET', `/runs/${runId}/events`, {
    headers: { accept: 'text/event-stream' },
  });
  let latest: RunSnapshot | null = null;
  let ended = false;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      if (message.event === 'run') {
        latest = JSON.parse(message.data) as RunSnapshot;
        view.update(latest);
      } else if (message.event === 'metric') {
        // A run's metrics are its training's epochs (only the train stage logs them). Not the
        // snapshot's stage: a poll can deliver the first epochs before the snapshot that says
        // ingest has ended.
        view.metric(JSON.parse(message.data) as { name: string; step: number; value: number }, 'train');
      } else if (message.event === 'end') {
        ended = true;
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    // Why the cast: fetch's body is a web ReadableStream, async-iterable in Node 20 but not in the DOM lib's types.
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (ended) break;
    }
  } finally {
    view.stop();
  }
  return latest;
}
