/**
 * Server-sent events of a run's progress (GET /runs/:id/events). Postgres is the source of
 * truth, so the stream reads the run, its stages and new metric points from the registry at a
 * short interval and sends what changed: `run` (status, stage, progress of every stage),
 * `metric` (one per new point: epoch curves) and `end` when the run is finished. Works with any
 * number of API replicas and whatever process runs the stages.
 */
import type { Request, Response } from 'express';
import { getRunWithStages, TERMINAL_RUN_STATUSES, type Registry, type RunStatus } from '@lathe/registry';
import type { RunSnapshot } from '@lathe/contract';
import { jsonReplacer } from './json.ts';

export async function runSnapshot(registry: Registry, runId: string): Promise<RunSnapshot> {
  const run = await getRunWithStages(registry, runId);
  return {
    id: run.id,
    status: run.status,
    stage: run.stage,
    progress: run.progress,
    errorCode: run.errorCode,
    errorMessage: run.errorMessage,
    stages: run.stages.map((s) => ({
      stage: s.stage,
      status: s.status,
      progress: s.progress,
      attempts: s.attempts,
      cacheHit: s.cacheHit,
    })),
  };
}

export async function streamRunEvents(
  registry: Registry,
  runId: string,
  req: Request,
  res: Response,
  pollMs: number,
): Promise<void> {
  const first = await runSnapshot(registry, runId); // 404 before the stream starts
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  let seq = 0;
  const send = (event: string, data: unknown) => {
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data, jsonReplacer)}\n\n`);
  };
  let lastSnapshot = '';
  let lastMetricId = 0n;
  let lastBeat = Date.now();
  let snapshot: RunSnapshot = first;
  for (;;) {
    const metrics = await registry.runMetric.findMany({
      where: { runId, id: { gt: lastMetricId } },
      orderBy: { id: 'asc' },
      take: 1000,
    });
    for (const point of metrics) {
      send('metric', { name: point.name, step: point.step, value: point.value });
      lastMetricId = point.id;
    }
    const serialised = JSON.stringify(snapshot);
    if (serialised !== lastSnapshot) {
      send('run', snapshot);
      lastSnapshot = serialised;
    }
    if ((TERMINAL_RUN_STATUSES as RunStatus[]).includes(snapshot.status) && metrics.length < 1000) {
      send('end', { status: snapshot.status });
      break;
    }
    if (Date.now() - lastBeat > 15_000) {
      res.write(': keep-alive\n\n');
      lastBeat = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (closed) break;
    snapshot = await runSnapshot(registry, runId);
  }
  res.end();
}
