/**
 * GET /queues/:queue/backlog, the endpoint KEDA's metrics-api trigger scales each worker on:
 * BullMQ keeps a queue's backlog in three places (waiting, prioritized, delayed), and the answer
 * counts all three, without a key; the API's /metrics carries the queue gauges as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('backlog');
});
afterAll(() => api.close());

describe('queue backlog endpoint', () => {
  it('counts waiting, prioritized and delayed jobs of one queue, without a key', async () => {
    const train = api.pipeline.queues.train;
    await train.add('probe', {}, { jobId: 'waiting-1' });
    await train.add('probe', {}, { jobId: 'waiting-2' });
    await train.add('probe', {}, { jobId: 'prioritized-1', priority: 3 });
    await train.add('probe', {}, { jobId: 'delayed-1', delay: 3_600_000 });
    await api.pipeline.queues.evaluate.add('probe', {}, { jobId: 'other-queue' });

    const answer = await api.request('GET', '/queues/train/backlog', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ queue: 'train', waiting: 2, prioritized: 1, delayed: 1, backlog: 4 });

    const empty = await api.request('GET', '/queues/deploy/backlog', { key: null });
    expect(empty.body).toMatchObject({ queue: 'deploy', backlog: 0 });

    const unknown = await api.request('GET', '/queues/nope/backlog', { key: null });
    expect(unknown.status).toBe(422);

    const metrics = await api.request('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/lathe_queue_depth\{queue="train",stage="train"\} 4/);
    expect(metrics.text).toMatch(/lathe_dependency_up\{dependency="postgres",service="api"\} 1/);
    expect(metrics.text).toMatch(/lathe_dependency_up\{dependency="redis",service="api"\} 1/);
  });
});
