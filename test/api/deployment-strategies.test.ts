/**
 * Shadow and blue-green deployments through the admin API and the `lathe` CLI, against real
 * Postgres and Redis: `lathe deploy --strategy` records each strategy, a blue-green switch
 * waits for a gateway to have warmed the standby and switches back with the same command, a
 * shadow's stored comparison is shown as rates and means by the API and the CLI, and every
 * change is announced on the routing channel the gateways subscribe to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeRoutingChanges, type RoutingSubscription } from '@lathe/queues';
import { markDeploymentWarmed, recordShadowComparisons, registerModelVersion } from '@lathe/registry';
import { silentLogger } from '@lathe/core';
import { runCli, type CliIo } from '../../packages/cli/src/index.ts';
import { startTestApi, type TestApi } from './api-harness.ts';

let api: TestApi;
let subscription: RoutingSubscription;
const announced: string[] = [];
const versions: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lathe-cli-deploy-'));

function cli(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text) },
    env: { HOME: dir, LATHE_API_URL: api.url, LATHE_API_KEY: api.keys.editor },
    fetch: globalThis.fetch,
    out: () => out,
    err: () => err,
  };
}

async function lathe(...argv: string[]) {
  const io = cli();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  api = await startTestApi('deploy_strategies');
  for (const n of [1, 2, 3]) {
    const { modelVersion } = await registerModelVersion(api.db.registry, {
      modelName: 'shop',
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: `file:///v${n}`,
      sha256: String(n).repeat(64),
      sizeBytes: 1,
      signature: { useCase: 'tabular', family: 'mlp', inputs: [], outputs: [] } as never,
    });
    versions.push(modelVersion.id);
  }
  subscription = subscribeRoutingChanges({
    redisUrl: api.redis.redisUrl,
    prefix: api.redis.prefix,
    onChange: (endpoint) => announced.push(endpoint),
    logger: silentLogger,
  });
  await subscription.ready;
}, 60_000);

afterAll(async () => {
  await subscription?.close();
  await api?.close();
});

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('deployment strategies', () => {
  it('deploys directly, stages a blue-green candidate, switches once it is warm, and switches back', async () => {
    const direct = await lathe('deploy', 'shop', versions[0]!);
    expect(direct.code).toBe(0);
    expect(direct.out).toMatch(/: direct on shop \(active\)/);
    const staged = await lathe('deploy', 'shop', versions[1]!, '--strategy', 'blue_green');
    expect(staged.code).toBe(0);
    const stagedId = /deployment (\S+): blue_green on shop \(pending\)/.exec(staged.out)![1]!;

    const early = await lathe('deployments', 'switch', stagedId);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/not warmed yet.*\[not_warmed\]/);

    await markDeploymentWarmed(api.db.registry, stagedId);
    const switched = await lathe('deployments', 'switch', stagedId);
    expect(switched.code).toBe(0);
    expect(switched.out).toContain(`shop → model version ${versions[1]}`);
    const standbyId = /switch back with `lathe deployments switch (\S+)`/.exec(switched.out)![1]!;
    const active = await api.request('GET', `/deployments/${stagedId}`);
    expect(active.body).toMatchObject({ strategy: 'blue_green', status: 'active', traffic: 1, shadow: null });
    expect(active.body.warmedAt).toEqual(expect.any(String));

    const back = await lathe('deployments', 'switch', standbyId);
    expect(back.code).toBe(0);
    expect(back.out).toContain(`shop → model version ${versions[0]}`);
    expect((await api.request('GET', `/deployments/${stagedId}`)).body.status).toBe('pending');
    // Each change was announced to the gateways: the deploy, the staging and both switches.
    await until(() => announced.length >= 4);
    expect(announced).toEqual(['shop', 'shop', 'shop', 'shop']);
  });

  it('stops a staged blue-green candidate: retired with its reason, audited, announced, no longer a switch target', async () => {
    const staged = await lathe('deploy', 'shop', versions[2]!, '--strategy', 'blue_green');
    const stagedId = /deployment (\S+): blue_green on shop \(pending\)/.exec(staged.out)![1]!;
    const heard = announced.length;
    const viewer = await api.request('POST', `/deployments/${stagedId}/stop`, { key: api.keys.viewer });
    expect(viewer.status).toBe(403);
    const stopped = await lathe('deployments', 'stop', stagedId);
    expect(stopped.code).toBe(0);
    expect(stopped.out).toMatch(/blue_green on shop stopped at \S+ \(stopped through the API\)/);
    const row = (await api.request('GET', `/deployments/${stagedId}`)).body;
    expect(row).toMatchObject({ status: 'retired', stopReason: 'stopped through the API' });
    expect(row.stoppedAt).toEqual(expect.any(String));
    const audit = await api.db.registry.auditLog.findFirstOrThrow({
      where: { entityId: stagedId, action: 'deployment.stop' },
    });
    expect(audit.apiKeyId).toBe(api.keyIds.editor);
    expect(audit.before).toMatchObject({ status: 'pending' });
    expect(audit.after).toMatchObject({ status: 'retired' });
    await until(() => announced.length > heard);
    expect(announced.slice(heard)).toEqual(['shop']);
    const switched = await lathe('deployments', 'switch', stagedId);
    expect(switched.code).toBe(1);
    expect(switched.err).toMatch(/\[not_standby\]/);
    // The serving deployment cannot be stopped: the endpoint would answer nothing.
    const serving = await api.db.registry.deployment.findFirstOrThrow({
      where: { endpoint: 'shop', status: 'active', strategy: { not: 'shadow' } },
    });
    const refused = await api.request('POST', `/deployments/${serving.id}/stop`, { key: api.keys.editor });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('serving');
  });

  it("shows a shadow's comparison with production as rates and means (API and CLI)", async () => {
    const started = await lathe('deploy', 'shop', versions[2]!, '--strategy', 'shadow');
    expect(started.code).toBe(0);
    const shadowId = /deployment (\S+): shadow on shop \(active\)/.exec(started.out)![1]!;
    await recordShadowComparisons(api.db.registry, shadowId, {
      requests: 10,
      errors: 2,
      agreements: 6,
      scoreDeltaSum: -0.4,
      absScoreDeltaSum: 0.8,
      shadowLatencyMsSum: 50,
      primaryLatencyMsSum: 30,
    });
    const resource = await api.request('GET', `/deployments/${shadowId}`);
    expect(resource.body.shadow).toEqual({
      answers: 10,
      errors: 2,
      agreementRate: 0.75,
      meanScoreDelta: -0.05,
      meanAbsScoreDelta: 0.1,
      meanShadowLatencyMs: 5,
      meanProductionLatencyMs: 3,
    });
    const listed = await lathe('deployments', 'list', '--endpoint', 'shop');
    expect(listed.code).toBe(0);
    const row = listed.out.split('\n').find((line) => line.startsWith(shadowId.slice(0, 8)))!;
    expect(row).toMatch(/shadow\s+active/);
    expect(row).toContain('75.0% of 8');
    expect(row).toContain('5.0 ms vs 3.0 ms');
    // The production deployment serves as before: a shadow is never the endpoint's answer.
    const route = await api.request('GET', '/endpoints/shop/route?unitId=u1');
    expect(route.status).toBe(200);
    expect(route.body.modelVersionId).toBe(versions[0]);
  });
});
