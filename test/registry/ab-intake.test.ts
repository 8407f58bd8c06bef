/**
 * The A/B intake keeps sufficient statistics as events are written: concurrent batches (a unit's
 * exposure and outcomes in different batches, outcomes before exposures, retried batches,
 * repeated keys) must leave exactly the sums a recomputation from the stored events gives; and
 * CUPED's covariate is a unit's outcomes at the endpoint in the lookback window before its first
 * exposure, or what the client sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '@lathe/experiments';
import {
  abTestStatistics,
  recordAbEvents,
  recordUnitOutcomes,
  registerModelVersion,
  type AbTestWithVariants,
  type NewAbEvent,
} from '@lathe/registry';
import {
  createTabularExperiment,
  createTestDatabase,
  startPolicyRollout,
  type TestDatabase,
} from '../harness/index.ts';

let db: TestDatabase;
let experimentId: string;
const versions: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('ab_intake');
  experimentId = await createTabularExperiment(db.registry, 'shop');
  for (const i of [1, 2]) {
    const { modelVersion } = await registerModelVersion(db.registry, {
      modelName: 'shop',
      useCase: 'tabular',
      modelFamily: 'mlp',
      artifactUri: `memory://${i}`,
      sha256: String(i).repeat(64),
      sizeBytes: 1,
      signature: {} as never,
    });
    versions.push(modelVersion.id);
  }
});

afterAll(async () => {
  await db?.drop();
});

function newTest(name: string, policy: Record<string, unknown>, now: Date): Promise<AbTestWithVariants> {
  return startPolicyRollout(db.registry, {
    name,
    endpoint: name,
    experimentId,
    policy,
    control: versions[0]!,
    treatment: versions[1]!,
    now,
  });
}

describe('A/B intake', () => {
  it('keeps the sums a recomputation from the stored events gives, under concurrent and retried batches', async () => {
    const now = new Date();
    const test = await newTest('concurrent', { steps: [0.5] }, now);
    const [control, treatment] = [
      test.variants.find((v) => v.isControl)!,
      test.variants.find((v) => !v.isControl)!,
    ];
    const events: NewAbEvent[] = [];
    for (let u = 0; u < 600; u++) {
      const unitId = `u${u}`;
      const variant = bucketOf('arm', unitId) < 0.5 ? control : treatment;
      const step = u < 300 ? 0 : 1;
      events.push({
        variantId: variant.id,
        type: 'exposure',
        unitId,
        idempotencyKey: `x-${unitId}`,
        occurredAt: now,
        step,
      });
      // Some units come back at the next step (their stratum stays the first one).
      if (u % 5 === 0)
        events.push({
          variantId: variant.id,
          type: 'exposure',
          unitId,
          idempotencyKey: `x2-${unitId}`,
          occurredAt: new Date(now.getTime() + 1000),
          step: step + 1,
        });
      const orders = Math.floor(bucketOf('orders', unitId) * 3); // 0, 1 or 2 orders
      for (let o = 0; o < orders; o++) {
        events.push({
          variantId: variant.id,
          type: 'outcome',
          unitId,
          metric: 'conversion',
          value: 1,
          idempotencyKey: `c-${unitId}-${o}`,
          occurredAt: now,
          step,
        });
        events.push({
          variantId: variant.id,
          type: 'outcome',
          unitId,
          metric: 'revenue',
          value: 10 + o * 7.5,
          idempotencyKey: `r-${unitId}-${o}`,
          occurredAt: now,
          step,
        });
      }
    }
    // Shuffled (outcomes often before their exposure), cut into batches, written by 4 writers at once, then every batch again.
    const shuffled = [...events].sort(
      (a, b) => bucketOf('order', a.idempotencyKey) - bucketOf('order', b.idempotencyKey),
    );
    const batches = Array.from({ length: Math.ceil(shuffled.length / 97) }, (_, i) =>
      shuffled.slice(i * 97, (i + 1) * 97),
    );
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let b = w; b < batches.length; b += 4) await recordAbEvents(db.registry, test.id, batches[b]!);
    });
    await Promise.all(writers);
    await Promise.all(batches.map((batch) => recordAbEvents(db.registry, test.id, batch)));
    expect(await db.registry.abEvent.count({ where: { abTestId: test.id } })).toBe(events.length);

    // Recompute from the units' arms and strata and the stored outcomes.
    const units = await db.registry.abUnit.findMany({
      where: { abTestId: test.id, variantId: { not: null } },
    });
    expect(units).toHaveLength(600);
    const outcomes = await db.registry.abEvent.findMany({ where: { abTestId: test.id, type: 'outcome' } });
    const expected = new Map<string, { units: number; sum: number; sumSquares: number }>();
    for (const unit of units) {
      for (const metric of ['conversion', 'revenue']) {
        const own = outcomes.filter((o) => o.unitId === unit.unitId && o.metric === metric);
        const total = own.reduce((sum, o) => sum + o.value, 0);
        const y = metric === 'conversion' ? (total > 0 ? 1 : 0) : total;
        const key = `${unit.variantId!}|${unit.step!}|${metric}`;
        const cell = expected.get(key) ?? { units: 0, sum: 0, sumSquares: 0 };
        cell.units += 1;
        cell.sum += y;
        cell.sumSquares += y * y;
        expected.set(key, cell);
      }
    }
    const stats = await abTestStatistics(db.registry, test.id);
    expect(stats.metrics).toHaveLength(expected.size);
    for (const row of stats.metrics) {
      const want = expected.get(`${row.variantId}|${row.step}|${row.metric}`)!;
      expect({ units: row.units, sum: row.sum, sumSquares: row.sumSquares }).toEqual({
        units: want.units,
        sum: expect.closeTo(want.sum, 9),
        sumSquares: expect.closeTo(want.sumSquares, 9),
      });
    }
    // Every unit is in its arm, in the stratum of the first of its exposures that was written
    // (shuffled here; a gateway writes a unit's exposures in order).
    for (const unit of units) {
      const own = events.filter((e) => e.type === 'exposure' && e.unitId === unit.unitId);
      expect(own.map((e) => e.step)).toContain(unit.step);
      expect(own[0]!.variantId).toBe(unit.variantId);
      expect(unit.step).not.toBeNull();
    }
  });

  it("takes each unit's covariate from its outcomes at the endpoint in the lookback window before its first exposure, or from the client", async () => {
    const start = new Date('2026-06-01T12:00:00Z');
    const day = 86_400_000;
    const test = await newTest(
      'cuped',
      { steps: [0.5], metric: 'revenue', cuped: { lookbackDays: 14 } },
      start,
    );
    const treatment = test.variants.find((v) => !v.isControl)!;
    await recordUnitOutcomes(db.registry, [
      {
        endpoint: 'cuped',
        unitId: 'a',
        metric: 'revenue',
        value: 30,
        idempotencyKey: 'h1',
        occurredAt: new Date(start.getTime() - 3 * day),
      },
      {
        endpoint: 'cuped',
        unitId: 'a',
        metric: 'revenue',
        value: 12,
        idempotencyKey: 'h2',
        occurredAt: new Date(start.getTime() - 1 * day),
      },
      {
        endpoint: 'cuped',
        unitId: 'a',
        metric: 'revenue',
        value: 500,
        idempotencyKey: 'h3',
        occurredAt: new Date(start.getTime() - 20 * day),
      }, // outside the window
      {
        endpoint: 'cuped',
        unitId: 'a',
        metric: 'conversion',
        value: 1,
        idempotencyKey: 'h4',
        occurredAt: new Date(start.getTime() - 2 * day),
      },
      {
        endpoint: 'elsewhere',
        unitId: 'a',
        metric: 'revenue',
        value: 1000,
        idempotencyKey: 'h5',
        occurredAt: new Date(start.getTime() - day),
      }, // another endpoint
      {
        endpoint: 'cuped',
        unitId: 'b',
        metric: 'revenue',
        value: 8,
        idempotencyKey: 'h6',
        occurredAt: new Date(start.getTime() + day),
      }, // after its exposure
    ]);
    const at = new Date(start.getTime() + 60_000);
    await recordAbEvents(db.registry, test.id, [
      {
        variantId: treatment.id,
        type: 'exposure',
        unitId: 'a',
        idempotencyKey: 'xa',
        occurredAt: at,
        step: 0,
      },
      {
        variantId: treatment.id,
        type: 'exposure',
        unitId: 'b',
        idempotencyKey: 'xb',
        occurredAt: at,
        step: 0,
      },
      {
        variantId: treatment.id,
        type: 'exposure',
        unitId: 'c',
        idempotencyKey: 'xc',
        occurredAt: at,
        step: 0,
        covariates: { revenue: 5 },
      },
      {
        variantId: treatment.id,
        type: 'outcome',
        unitId: 'a',
        metric: 'revenue',
        value: 20,
        idempotencyKey: 'ra',
        occurredAt: at,
        step: 0,
      },
      {
        variantId: treatment.id,
        type: 'outcome',
        unitId: 'c',
        metric: 'revenue',
        value: 4,
        idempotencyKey: 'rc',
        occurredAt: at,
        step: 0,
      },
    ]);
    const pre = await db.registry.abUnitMetric.findMany({
      where: { abTestId: test.id, metric: 'revenue' },
      orderBy: { unitId: 'asc' },
    });
    // b has neither covariate nor outcome: no row (its value is 0), but it counts as a unit.
    expect(pre.map((m) => [m.unitId, m.preValue, m.value])).toEqual([
      ['a', 42, 20],
      ['c', 5, 4],
    ]);
    const [revenue] = (await abTestStatistics(db.registry, test.id)).metrics.filter(
      (m) => m.metric === 'revenue',
    );
    expect(revenue).toMatchObject({
      units: 3,
      sum: 24,
      sumSquares: 416,
      covariateSum: 47,
      covariateSumSquares: 42 * 42 + 25,
      crossSum: 42 * 20 + 5 * 4,
    });
    // A later outcome moves the cross sum by x·Δy.
    await recordAbEvents(db.registry, test.id, [
      {
        variantId: treatment.id,
        type: 'outcome',
        unitId: 'a',
        metric: 'revenue',
        value: 1,
        idempotencyKey: 'ra2',
        occurredAt: at,
        step: 0,
      },
    ]);
    const [after] = (await abTestStatistics(db.registry, test.id)).metrics.filter(
      (m) => m.metric === 'revenue',
    );
    expect(after).toMatchObject({ sum: 25, sumSquares: 21 * 21 + 16, crossSum: 42 * 21 + 5 * 4 });
  });

  it('refuses events of a variant outside the test, and a deleted test takes its unit state with it', async () => {
    const now = new Date();
    const test = await newTest('deleted', { steps: [0.5] }, now);
    const other = await newTest('other', { steps: [0.5] }, now);
    const control = test.variants.find((v) => v.isControl)!;
    // The unit rows have no foreign keys of their own: the events' keys are what refuse a stranger.
    await expect(
      recordAbEvents(db.registry, test.id, [
        {
          variantId: 'no-such-variant',
          type: 'exposure',
          unitId: 'x',
          idempotencyKey: 'x',
          occurredAt: now,
          step: 0,
        },
      ]),
    ).rejects.toThrow(/foreign key/i);
    await recordAbEvents(db.registry, test.id, [
      {
        variantId: control.id,
        type: 'exposure',
        unitId: 'a',
        idempotencyKey: 'ea',
        occurredAt: now,
        step: 0,
      },
      {
        variantId: control.id,
        type: 'outcome',
        unitId: 'a',
        metric: 'conversion',
        value: 1,
        idempotencyKey: 'ca',
        occurredAt: now,
        step: 0,
      },
    ]);
    await recordAbEvents(db.registry, other.id, [
      {
        variantId: other.variants[0]!.id,
        type: 'exposure',
        unitId: 'a',
        idempotencyKey: 'eb',
        occurredAt: now,
        step: 0,
      },
    ]);
    const unitRows = (abTestId: string) =>
      db.registry.$queryRawUnsafe<{ n: number }[]>(
        'SELECT (SELECT count(*) FROM "AbUnit" WHERE "abTestId" = $1)::int + (SELECT count(*) FROM "AbUnitMetric" WHERE "abTestId" = $1)::int AS n',
        abTestId,
      );
    expect((await unitRows(test.id))[0]!.n).toBeGreaterThan(1);
    await db.registry.abTest.delete({ where: { id: test.id } });
    expect((await unitRows(test.id))[0]!.n).toBe(0);
    expect((await unitRows(other.id))[0]!.n).toBe(1);
  });
});
