/**
 * A/B attribution on live traffic through the real gateway process, with its default routing
 * TTL (1 s): the gateway routes on a step for up to a second after the monitor has advanced it.
 * Steady concurrent traffic of new and returning units, every unit converting with the same
 * probability whatever its arm (an A/A test), across two step advances with compressed
 * durations, for 5 seeds: the sample-ratio test never fires, the test only holds, advances or
 * stops, and every unit keeps its variant in every response. Then the same with a 52/48
 * assignment bug injected into a second gateway process: the sample-ratio test fires.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { bucketOf } from '@lathe/experiments';
import {
  getAlias,
  moveAlias,
  registerModelVersion,
  stopAbTest,
  type AbTestWithVariants,
} from '@lathe/registry';
import { monitorRollouts } from '../../services/deploy/src/rollout-monitor.ts';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import {
  REPO_ROOT,
  createTabularExperiment,
  createTestDatabase,
  freePort,
  startPolicyRollout,
  trainTabularVersions,
  type TestDatabase,
} from '../harness/index.ts';

let db: TestDatabase;
let dir: string;
const children: ChildProcess[] = [];
const rows = syntheticTabular(200, 3);
const versions: string[] = [];
let experimentId: string;

async function startGateway(extraEnv: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services/serve/src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.schemaUrl,
      LATHE_SERVE_PORT: String(port),
      LATHE_SERVE_AUTH: 'none',
      LATHE_ARTIFACT_DIR: join(dir, 'store'),
      LATHE_LOG_LEVEL: 'fatal',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode})`);
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return base;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the gateway did not come up');
}

beforeAll(async () => {
  db = await createTestDatabase('live_ab');
  dir = await mkdtemp(join(tmpdir(), 'lathe-live-ab-'));
  const store = new LocalArtifactStore(join(dir, 'store'));
  experimentId = await createTabularExperiment(db.registry, 'shop');
  versions.push(
    ...(await trainTabularVersions(db.registry, store, {
      modelName: 'shop',
      rows,
      seeds: [1, 2],
      hyperparameters: { epochs: 1, hiddenUnits: [4] },
    })),
  );
  await db.registry.deployment.create({
    data: {
      endpoint: 'shop',
      modelVersionId: versions[0]!,
      strategy: 'direct',
      status: 'active',
      traffic: 1,
    },
  });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve)) : undefined,
    ),
  );
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

function startTest(name: string, policy: Record<string, unknown>): Promise<AbTestWithVariants> {
  return startPolicyRollout(db.registry, {
    name,
    endpoint: 'shop',
    experimentId,
    policy,
    control: versions[0]!,
    treatment: versions[1]!,
  });
}

/**
 * `clients` concurrent shoppers for `durationMs`: each request is a new unit, or (one in three)
 * a unit seen before coming back. A unit converts (once) with probability `rate`, decided by a
 * hash of the seed and its id, so its arm cannot influence it.
 */
async function drive(
  base: string,
  options: {
    seed: number;
    clients: number;
    durationMs: number;
    rate: number | ((variant: string) => number);
    onTick?: () => Promise<void>;
    until?: () => boolean;
  },
) {
  const variants = new Map<string, string | null>();
  const conflicts: string[] = [];
  let next = 0;
  let requests = 0;
  const deadline = Date.now() + options.durationMs;
  const going = () => Date.now() < deadline && !options.until?.();
  const one = async (client: number) => {
    while (going()) {
      const returning = next > 10 && bucketOf(`r${options.seed}`, `${client}:${requests}`) < 1 / 3;
      const unitId = returning
        ? `s${options.seed}-u${Math.floor(bucketOf(`p${options.seed}`, `${requests}`) * next)}`
        : `s${options.seed}-u${next++}`;
      requests++;
      const answer = await fetch(`${base}/v1/endpoints/shop/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unitId, instances: [{ features: rows[requests % rows.length]!.features }] }),
      });
      const body = (await answer.json()) as { abTest: { variant: string } | null };
      if (answer.status !== 200)
        throw new Error(`predict answered ${answer.status}: ${JSON.stringify(body)}`);
      const variant = body.abTest?.variant ?? null;
      const before = variants.get(unitId);
      // Once in the test a unit keeps its arm; outside coverage (null) it may enter later, never leave.
      if (before !== undefined && before !== null && variant !== before)
        conflicts.push(`${unitId}: ${before} then ${variant}`);
      if (before === undefined || before === null) variants.set(unitId, variant);
      if (
        !returning &&
        variant !== null &&
        bucketOf(`c${options.seed}`, unitId) <
          (typeof options.rate === 'number' ? options.rate : options.rate(variant))
      ) {
        const outcome = await fetch(`${base}/v1/endpoints/shop/outcomes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ unitId, idempotencyKey: `order-${unitId}` }),
        });
        if (outcome.status !== 202) throw new Error(`outcome answered ${outcome.status}`);
      }
    }
  };
  const ticking = (async () => {
    while (going()) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await options.onTick?.();
    }
  })();
  await Promise.all([...Array.from({ length: options.clients }, (_, i) => one(i)), ticking]);
  return { variants, conflicts, requests };
}

describe('A/B attribution on live traffic through the gateway process', () => {
  it('an A/A test across two step advances never flags a sample ratio mismatch, for 5 seeds, and no unit changes arm', async () => {
    const base = await startGateway();
    for (const seed of [1, 2, 3, 4, 5]) {
      await db.registry.abTest.updateMany({ where: { status: 'running' }, data: { status: 'stopped' } }); // a failed seed's test
      // Compressed durations (a simulation of a real rollout): 2 s per step, looks every 250 ms.
      const test = await startTest(`aa-${seed}`, {
        steps: [0.1, 0.3, 0.5],
        minStepDurationMs: 2000,
        minExposuresPerArm: 50,
        maxDurationMs: 3_600_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the gateway's routing TTL: it sees the test
      // Until both advances are made and units have entered the last step for 2.5 s (or 60 s: a slow machine).
      let advances = 0;
      let lastAdvanceAt = 0;
      const { variants, conflicts } = await drive(base, {
        seed,
        clients: 8,
        durationMs: 60_000,
        rate: 0.1,
        onTick: async () => {
          for (const r of await monitorRollouts(db.registry)) {
            if (r.applied && r.decision.action === 'advance') {
              advances++;
              lastAdvanceAt = Date.now();
            }
          }
        },
        until: () => advances >= 2 && Date.now() - lastAdvanceAt > 2500,
      });
      await new Promise((resolve) => setTimeout(resolve, 400)); // the gateway's exposure flush
      await monitorRollouts(db.registry);

      expect(conflicts).toEqual([]);
      expect([...variants.values()].filter((v) => v !== null).length).toBeGreaterThan(150);
      const looks = await db.registry.abDecision.findMany({
        where: { abTestId: test.id },
        orderBy: { id: 'asc' },
      });
      const actions = looks.filter((l) => l.applied).map((l) => l.action);
      expect(actions.filter((a) => a === 'advance')).toHaveLength(2);
      expect(
        actions.every((a) => a === 'hold' || a === 'advance' || a === 'stop'),
        `seed ${seed}: ${actions.join(',')}`,
      ).toBe(true);
      const flagged = looks.filter(
        (l) => (l.analysis as { sampleRatioMismatch: { detected: boolean } }).sampleRatioMismatch.detected,
      );
      expect(
        flagged.map((l) => l.reasons),
        `seed ${seed}`,
      ).toEqual([]);
      // Units entered at every step, each stratum balanced by construction.
      const strata = await db.registry.abStat.groupBy({
        by: ['step'],
        where: { abTestId: test.id, metric: 'conversion' },
        _sum: { units: true },
      });
      expect(strata.map((s) => s.step).sort()).toEqual([0, 1, 2]);
      await stopAbTest(db.registry, {
        abTestId: test.id,
        outcome: 'stop',
        reason: 'A/A check done',
        now: new Date(),
        actor: 'test',
      });
    }
  }, 400_000);

  it.each([
    { truth: 'better', treatmentRate: 0.2, controlRate: 0.05, status: 'promoted', production: 1 },
    { truth: 'worse', treatmentRate: 0.05, controlRate: 0.2, status: 'rolled_back', production: 0 },
  ])(
    'decides a $truth model on live traffic: the test is $status, production moves only for a winner, challenger is cleared',
    async ({ truth, treatmentRate, controlRate, status, production }) => {
      const base = await startGateway();
      await db.registry.abTest.updateMany({ where: { status: 'running' }, data: { status: 'stopped' } });
      await db.registry.deployment.updateMany({
        where: { endpoint: 'shop', status: 'active' },
        data: { status: 'retired' },
      });
      await db.registry.deployment.create({
        data: {
          endpoint: 'shop',
          modelVersionId: versions[0]!,
          strategy: 'direct',
          status: 'active',
          traffic: 1,
        },
      });
      await moveAlias(db.registry, {
        modelName: 'shop',
        alias: 'production',
        modelVersionId: versions[0]!,
        reason: 'test',
        actor: 'test',
      });
      await moveAlias(db.registry, {
        modelName: 'shop',
        alias: 'challenger',
        modelVersionId: versions[1]!,
        reason: 'test',
        actor: 'test',
      });
      const test = await startTest(`decided-${truth}`, {
        steps: [0.5],
        minStepDurationMs: 0,
        minExposuresPerArm: 100,
        maxDurationMs: 3_600_000,
        minimumDetectableEffect: 0.5,
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      let ended = false;
      await drive(base, {
        seed: truth === 'better' ? 12 : 11,
        clients: 8,
        durationMs: 60_000,
        rate: (variant) => (variant === 'treatment' ? treatmentRate : controlRate),
        onTick: async () => {
          if (!ended)
            ended = (await monitorRollouts(db.registry)).some(
              (r) => r.decision.action !== 'hold' && r.applied,
            );
        },
        until: () => ended,
      });
      const final = await db.registry.abTest.findUniqueOrThrow({ where: { id: test.id } });
      expect(final.status).toBe(status);
      expect((await getAlias(db.registry, 'shop', 'production'))?.modelVersionId).toBe(versions[production]);
      expect(await getAlias(db.registry, 'shop', 'challenger')).toBeNull();
      const treatmentDeployment = await db.registry.deployment.findFirstOrThrow({
        where: { endpoint: 'shop', modelVersionId: versions[1]!, runId: { not: null } },
        orderBy: { createdAt: 'desc' },
      });
      expect(treatmentDeployment).toMatchObject(
        status === 'promoted' ? { status: 'active', traffic: 1 } : { status: 'rolled_back', traffic: 0 },
      );
      // The decision that moved the registry is stored with the numbers it was made on.
      const decided = await db.registry.abDecision.findFirstOrThrow({
        where: { abTestId: test.id, applied: true, action: { not: 'hold' } },
      });
      expect(
        (decided.analysis as { treatments: Array<{ primary: { units: { control: number } } }> })
          .treatments[0]!.primary.units.control,
      ).toBeGreaterThanOrEqual(100);
    },
    90_000,
  );

  it('rolls back a treatment whose gateway requests fail (the error-rate guardrail), and challenger stops pointing at it', async () => {
    const base = await startGateway();
    await db.registry.abTest.updateMany({ where: { status: 'running' }, data: { status: 'stopped' } });
    // A version whose artifact is not in the store: every load fails (503 model_unavailable).
    const { modelVersion: broken } = await registerModelVersion(db.registry, {
      modelName: 'shop',
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: 'file:///nowhere',
      sha256: 'f'.repeat(64),
      sizeBytes: 1,
      signature: {} as never,
    });
    await moveAlias(db.registry, {
      modelName: 'shop',
      alias: 'challenger',
      modelVersionId: broken.id,
      reason: 'test',
      actor: 'test',
    });
    const test = await startPolicyRollout(db.registry, {
      name: 'broken-treatment',
      endpoint: 'shop',
      experimentId,
      policy: { steps: [0.5], minStepDurationMs: 0, minExposuresPerArm: 50, maxDurationMs: 3_600_000 },
      control: versions[0]!,
      treatment: broken.id,
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const answer = await fetch(`${base}/v1/endpoints/shop/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          unitId: `broken-${i}`,
          instances: [{ features: rows[i % rows.length]!.features }],
        }),
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    expect(statuses.get(503)).toBeGreaterThan(60); // the treatment's units
    expect(statuses.get(200)).toBeGreaterThan(60); // the control's
    await new Promise((resolve) => setTimeout(resolve, 400)); // the gateway's flush
    const [result] = await monitorRollouts(db.registry);
    expect(result!.decision.action, result!.decision.reasons.join('; ')).toBe('rollback');
    expect(result!.decision.reasons.join(' ')).toMatch(/guardrail breached: gateway error rate/);
    expect((await db.registry.abTest.findUniqueOrThrow({ where: { id: test.id } })).status).toBe(
      'rolled_back',
    );
    expect(await getAlias(db.registry, 'shop', 'challenger')).toBeNull();
    expect((await getAlias(db.registry, 'shop', 'production'))?.modelVersionId ?? versions[0]).toBe(
      versions[0],
    );
  }, 60_000);

  it('flags the sample ratio mismatch of a gateway with a 52/48 assignment bug', async () => {
    // 1 − 48/52 of the treatment's units are served as control: 52/48 instead of 50/50.
    const base = await startGateway({ LATHE_SERVE_FAULT_ASSIGNMENT_SKEW: String(1 - 48 / 52) });
    await db.registry.abTest.updateMany({ where: { status: 'running' }, data: { status: 'stopped' } });
    const test = await startTest('skewed', {
      steps: [0.5],
      minStepDurationMs: 0,
      minExposuresPerArm: 100,
      maxDurationMs: 3_600_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    let flagged = false;
    await drive(base, {
      seed: 9,
      clients: 16,
      durationMs: 150_000, // it stops as soon as the alarm fires (about 11,000 units at 52/48)
      rate: 0.1,
      onTick: async () => {
        if (flagged) return;
        const [result] = await monitorRollouts(db.registry);
        flagged = result?.analysis.sampleRatioMismatch.detected ?? false;
      },
      until: () => flagged,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [result] = await monitorRollouts(db.registry);
    expect(result?.analysis.sampleRatioMismatch.detected).toBe(true);
    expect(result?.decision.action).toBe('hold');
    expect(result?.decision.reasons[0]).toMatch(/sample ratio mismatch/);
    const units = result!.analysis.variants.map((v) => v.units);
    expect(units[0]! / (units[0]! + units[1]!)).toBeGreaterThan(0.51);
    expect((await db.registry.abTest.findUniqueOrThrow({ where: { id: test.id } })).status).toBe('running');
  }, 200_000);
});
