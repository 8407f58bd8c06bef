/**
 * The real Postgres server (a cluster of this test's own, not the shared one) stopped in
 * immediate mode (its processes quit at once, as in a crash) and started again while the real
 * gateway process receives outcomes of a running A/B test from concurrent clients. A client
 * retries a 503 with the same idempotency key, as the gateway's message asks. Afterwards every
 * accepted outcome (each 202) is a stored row, once: 0 accepted events lost, none doubled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@lathe/artifacts';
import { MIGRATIONS_DIR, createRegistry, migrate, type Registry } from '@lathe/registry';
import { syntheticTabular } from '../../packages/ml/src/testing/synthetic.ts';
import {
  createTabularExperiment,
  startGatewayProcess,
  startOwnPostgres,
  startPolicyRollout,
  trainTabularVersions,
  type GatewayProcess,
  type OwnServer,
} from '../harness/index.ts';

let postgres: OwnServer;
let registry: Registry;
let gateway: GatewayProcess;
let dir: string;
const ENDPOINT = 'pg-restart';

beforeAll(async () => {
  postgres = await startOwnPostgres();
  await migrate({ databaseUrl: postgres.url, migrationsDir: MIGRATIONS_DIR, schema: 'public' });
  registry = createRegistry({ databaseUrl: postgres.url, maxConnections: 3 });
  dir = await mkdtemp(join(tmpdir(), 'lathe-pg-restart-'));
  const store = new LocalArtifactStore(join(dir, 'artifacts'));
  const experimentId = await createTabularExperiment(registry, ENDPOINT);
  const [control, treatment] = await trainTabularVersions(registry, store, {
    modelName: ENDPOINT,
    rows: syntheticTabular(300, 4),
    seeds: [1, 2],
    hyperparameters: { epochs: 1, hiddenUnits: [4] },
  });
  // Coverage 1 from the first step: every unit is in the test, so every outcome is the test's.
  await startPolicyRollout(registry, {
    name: 'pg-restart-test',
    endpoint: ENDPOINT,
    experimentId,
    policy: { steps: [0.5] },
    control: control!,
    treatment: treatment!,
  });
  gateway = await startGatewayProcess({ databaseUrl: postgres.url, artifactDir: join(dir, 'artifacts') });
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  await registry?.$disconnect();
  await postgres?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Postgres restarted while the gateway takes outcomes', () => {
  it('stores every outcome it accepted (202), once', async () => {
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    let sending = true;
    let outage = false;
    let refusedDuringOutage = 0;
    const send = async (key: string, unitId: string) => {
      // Until accepted: a 503 (registry unavailable) or a refused connection is retried as is.
      for (;;) {
        const status = await fetch(`${gateway.url}/v1/endpoints/${ENDPOINT}/outcomes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ unitId, idempotencyKey: key, metric: 'conversion', value: 1 }),
        }).then(
          (r) => r.status,
          () => 0,
        );
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 202) {
          accepted.add(key);
          return;
        }
        expect(status).toBe(503);
        if (outage) refusedDuringOutage += 1;
        await sleep(100);
      }
    };
    const client = async (c: number) => {
      for (let i = 0; sending; i++) await send(`c${c}-${i}`, `unit-${c}-${i % 50}`);
    };
    const clients = [0, 1, 2, 3].map(client);

    await sleep(1_500);
    // The test's own client holds no connection across the restart (it only reads at the end).
    await registry.$disconnect();
    outage = true;
    await postgres.kill();
    await sleep(2_000);
    await postgres.start();
    outage = false;
    registry = createRegistry({ databaseUrl: postgres.url, maxConnections: 3 });
    await sleep(2_000);
    sending = false;
    await Promise.all(clients);

    expect(refusedDuringOutage).toBeGreaterThan(0);
    expect(accepted.size).toBeGreaterThan(50);
    const events = await registry.abEvent.findMany({
      where: { type: 'outcome' },
      select: { idempotencyKey: true },
    });
    const unitOutcomes = await registry.unitOutcome.findMany({ select: { idempotencyKey: true } });
    expect(unitOutcomes).toHaveLength(accepted.size);
    expect(new Set(unitOutcomes.map((o) => o.idempotencyKey.slice(ENDPOINT.length + 1)))).toEqual(accepted);
    expect(events).toHaveLength(accepted.size);
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503)).toEqual([]);
  });
});
