import { describe, expect, it } from 'vitest';
import type { Run } from '@lathe/contract';
import {
  initialRunState,
  runActions,
  runStateReducer,
  stageTimeline,
  upsertPoint,
  type RunEvent,
  type RunState,
} from './run-state.ts';

const run: Run = {
  id: 'r1',
  experimentId: 'e1',
  status: 'running',
  stage: 'train',
  progress: 0.3,
  trigger: 'manual',
  seed: 1,
  params: {},
  errorCode: null,
  errorMessage: null,
  errorStage: null,
  queuedAt: '2026-01-01T00:00:00Z',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
  stages: [
    {
      stage: 'train',
      status: 'running',
      attempts: 1,
      progress: 0.2,
      cacheHit: false,
      errorCode: null,
      errorMessage: null,
      startedAt: '2026-01-01T00:00:05Z',
    },
    {
      stage: 'ingest',
      status: 'succeeded',
      attempts: 1,
      progress: 1,
      cacheHit: true,
      errorCode: null,
      errorMessage: null,
      startedAt: '2026-01-01T00:00:00Z',
    },
  ],
};

const fold = (events: RunEvent[], from: RunState = initialRunState) => events.reduce(runStateReducer, from);

describe('runStateReducer', () => {
  it('orders stages and keeps REST timestamps when a snapshot updates them', () => {
    const state = fold([
      { type: 'loaded', run, series: {} },
      {
        type: 'run',
        snapshot: {
          id: 'r1',
          status: 'running',
          stage: 'evaluate',
          progress: 0.6,
          errorCode: null,
          errorMessage: null,
          stages: [
            {
              stage: 'ingest',
              status: 'succeeded',
              progress: 1,
              attempts: 1,
              cacheHit: true,
            },
            {
              stage: 'train',
              status: 'succeeded',
              progress: 1,
              attempts: 2,
              cacheHit: false,
            },
            {
              stage: 'evaluate',
              status: 'running',
              progress: 0.1,
              attempts: 1,
              cacheHit: false,
            },
          ],
        },
      },
    ]);
    expect(state.run?.stage).toBe('evaluate');
    expect(state.run?.stages?.map((s) => `${s.stage}:${s.status}:${s.attempts}`)).toEqual([
      'ingest:succeeded:1',
      'train:succeeded:2',
      'evaluate:running:1',
    ]);
    expect(state.run?.stages?.[1]?.startedAt).toBe('2026-01-01T00:00:05Z');
    expect(state.ended).toBe(false);
  });

  it('appends metric points in step order, replaces a repeated step, and ignores a duplicate', () => {
    let state = fold([
      { type: 'loaded', run, series: { loss: [{ step: 1, value: 0.9 }] } },
      { type: 'metric', name: 'loss', step: 3, value: 0.5 },
      { type: 'metric', name: 'loss', step: 2, value: 0.7 },
      { type: 'metric', name: 'valLoss', step: 1, value: 1.0 },
      { type: 'metric', name: 'loss', step: 3, value: 0.4 },
    ]);
    expect(state.series.loss).toEqual([
      { step: 1, value: 0.9 },
      { step: 2, value: 0.7 },
      { step: 3, value: 0.4 },
    ]);
    expect(state.series.valLoss).toEqual([{ step: 1, value: 1.0 }]);
    const same = runStateReducer(state, { type: 'metric', name: 'loss', step: 3, value: 0.4 });
    expect(same).toBe(state);
    state = runStateReducer(state, { type: 'end', status: 'succeeded' });
    expect(state.ended).toBe(true);
    expect(state.run?.status).toBe('succeeded');
  });

  it('keeps streamed points when a later REST reload lacks them', () => {
    const state = fold([
      { type: 'loaded', run, series: {} },
      { type: 'metric', name: 'loss', step: 5, value: 0.2 },
      { type: 'loaded', run: { ...run, status: 'succeeded' }, series: { loss: [{ step: 4, value: 0.3 }] } },
    ]);
    expect(state.series.loss).toEqual([
      { step: 4, value: 0.3 },
      { step: 5, value: 0.2 },
    ]);
    expect(state.ended).toBe(true);
  });

  it('follows a run again once a retry queues it', () => {
    const failed = fold([
      { type: 'loaded', run, series: {} },
      { type: 'end', status: 'failed' },
    ]);
    expect(failed.ended).toBe(true);
    expect(
      runStateReducer(failed, { type: 'loaded', run: { ...run, status: 'queued' }, series: {} }).ended,
    ).toBe(false);
  });

  it('ignores a snapshot before the run is loaded', () => {
    expect(
      runStateReducer(initialRunState, {
        type: 'run',
        snapshot: {
          id: 'r1',
          status: 'failed',
          stage: null,
          progress: 0,
          errorCode: null,
          errorMessage: null,
          stages: [],
        },
      }),
    ).toBe(initialRunState);
  });
});

describe('stageTimeline and runActions', () => {
  it('shows all four stages, pending where not started', () => {
    expect(stageTimeline(run).map((s) => `${s.stage}:${s.status}`)).toEqual([
      'ingest:succeeded',
      'train:running',
      'evaluate:pending',
      'deploy:pending',
    ]);
  });

  it('offers cancel while running and retry after a failure', () => {
    expect(runActions(run)).toEqual({ canCancel: true, canRetry: false });
    expect(runActions({ ...run, status: 'failed' })).toEqual({ canCancel: false, canRetry: true });
    expect(runActions({ ...run, status: 'succeeded' })).toEqual({ canCancel: false, canRetry: false });
  });
});

describe('upsertPoint', () => {
  it('inserts at the front', () => {
    expect(upsertPoint([{ step: 2, value: 1 }], { step: 0, value: 3 })).toEqual([
      { step: 0, value: 3 },
      { step: 2, value: 1 },
    ]);
  });
});
