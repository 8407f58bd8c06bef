/**
 * `lathe simulate <endpoint>`: simulated shoppers (a simulation, and it says so) on a recommend
 * endpoint of the serving gateway (LATHE_SERVE_URL), with the admin API's key. The shoppers'
 * truth is the synthetic-interactions generator the endpoint's model was trained on: the
 * experiment's own source options (`--experiment`, default the endpoint's name) or `--generator`.
 * Progress shows the running A/B test as the rollout monitor sees it; the end shows, per arm,
 * the true expected conversion and revenue next to what was drawn, and the true lift next to the
 * measured one.
 */
import type { Command } from 'commander';
import {
  recommendResponseSchema,
  type AbTest,
  type Experiment,
  type Page,
  type RecommendResponse,
} from '@lathe/contract';
import type { AbReport } from '@lathe/experiments';
import { createTrueAffinity, syntheticInteractionsOptionsSchema } from '@lathe/data/synthetic-interactions';
import { ApiClient } from '../api-client.ts';
import { loadCliConfig } from '../config.ts';
import { CliError, type CliIo } from '../io.ts';
import { seededPrices, type ShopperTruth } from '../simulate/shopper-model.ts';
import { startSimulation, trueLift, type SimulationState } from '../simulate/shopper-simulator.ts';
import { formatTable } from '../table.ts';

const DEFAULT_SERVE_URL = 'http://127.0.0.1:8081';

interface SimulateOptions {
  experiment?: string;
  generator?: string;
  shoppers?: string;
  k: string;
  concurrency: string;
  seed: string;
  visits?: string;
  duration: string;
  untilDecided?: boolean;
  progressEvery: string;
}

const positiveInt = (text: string, flag: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive integer, got ${text}`);
  return n;
};

/** The generator options a synthetic-interactions source carries (a bare source, or an ingest spec around one). */
function generatorOptionsOf(source: unknown): unknown {
  const s = source as { kind?: string; name?: string; options?: unknown; source?: unknown } | null;
  if (s?.kind === 'sample' && s.name === 'synthetic-interactions') return s.options ?? {};
  if (s?.source) return generatorOptionsOf(s.source);
  return undefined;
}

async function truthFor(api: ApiClient, endpoint: string, options: SimulateOptions) {
  let raw: unknown;
  if (options.generator) {
    try {
      raw = JSON.parse(options.generator);
    } catch (error) {
      throw new CliError(`--generator is not valid JSON (${(error as Error).message})`);
    }
  } else {
    const name = options.experiment ?? endpoint;
    const { body } = await api.json<Page<Experiment>>('GET', `/experiments?limit=200`);
    const experiment = body.items.find((e) => e.name === name);
    if (!experiment)
      throw new CliError(
        `no experiment named ${name}: pass --experiment <name> (whose source is the synthetic-interactions sample) or --generator '<options>'`,
      );
    raw = generatorOptionsOf(experiment.source);
    if (raw === undefined)
      throw new CliError(
        `experiment ${name} does not read the synthetic-interactions sample, so its shoppers' true preferences are unknown: pass --generator '<options>'`,
      );
  }
  const parsed = syntheticInteractionsOptionsSchema.safeParse(raw);
  if (!parsed.success)
    throw new CliError(
      `the generator options are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
    );
  const truth = createTrueAffinity(parsed.data);
  const price = seededPrices(truth.items, parsed.data.seed);
  const shopperTruth: ShopperTruth = { affinity: (u, i) => truth.affinity(u, i), price };
  return { truth: shopperTruth, users: truth.users };
}

const pct = (x: number | null | undefined) =>
  typeof x === 'number' && Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-';

function measuredLift(report: AbReport | null) {
  const primary = report?.analysis.treatments[0]?.primary;
  const rel = primary?.relative;
  if (!rel) return 'n/a';
  const [lo, hi] = rel.sequentialInterval ?? [null, null];
  return `${pct(rel.estimate)} [${pct(lo)}, ${pct(hi)}]`;
}

function renderArms(state: SimulationState): string {
  const rows = [...state.arms.entries()].map(([arm, t]) => [
    arm === 'none' ? 'outside the test' : arm,
    t.units,
    t.visits,
    t.units ? `${((t.expectedConversions / t.units) * 100).toFixed(2)}%` : '-',
    t.units ? `${((t.conversions / t.units) * 100).toFixed(2)}%` : '-',
    t.units ? (t.expectedRevenue / t.units).toFixed(2) : '-',
    t.units ? (t.revenue / t.units).toFixed(2) : '-',
  ]);
  return formatTable(
    [
      'arm',
      'shoppers',
      'visits',
      'true conversion',
      'drawn conversion',
      'true revenue/shopper',
      'drawn revenue/shopper',
    ],
    rows,
  );
}

export function registerSimulateCommand(program: Command, client: () => ApiClient, io: CliIo): void {
  program
    .command('simulate')
    .description(
      'SIMULATION: shoppers with known preferences use a recommend endpoint (clicks, purchases, revenue as outcomes)',
    )
    .argument('<endpoint>')
    .option('--experiment <name>', "experiment whose synthetic-interactions source is the shoppers' truth")
    .option(
      '--generator <json>',
      'the synthetic-interactions options instead (users, items, dimensions, seed…)',
    )
    .option('--shoppers <n>', "how many of the generator's users shop (default: all)")
    .option('-k, --k <n>', 'items per page', '10')
    .option('--concurrency <n>', 'shoppers at once', '8')
    .option('--seed <n>', 'seed of the shoppers’ order and draws', '1')
    .option('--visits <n>', 'stop after this many visits')
    .option('--duration <seconds>', 'stop after this long', '300')
    .option('--until-decided', "stop when the endpoint's running A/B test has a verdict")
    .option('--progress-every <seconds>', 'progress line interval', '10')
    .action(async (endpoint: string, options: SimulateOptions) => {
      const api = client();
      const config = loadCliConfig(io.env);
      const gateway = new ApiClient(
        { ...config, apiUrl: (io.env.LATHE_SERVE_URL ?? DEFAULT_SERVE_URL).replace(/\/+$/, '') },
        io,
      );
      const { truth, users } = await truthFor(api, endpoint, options);
      const shoppers = options.shoppers
        ? Math.min(users, positiveInt(options.shoppers, '--shoppers'))
        : users;
      const path = `/v1/endpoints/${encodeURIComponent(endpoint)}`;
      const { body: tests } = await api.json<Page<AbTest>>(
        'GET',
        `/ab-tests?endpoint=${encodeURIComponent(endpoint)}&status=running`,
      );
      const test = tests.items[0];
      io.stderr.write(
        `SIMULATION: ${shoppers} simulated shoppers on ${gateway.config.apiUrl}${path}/recommend` +
          (test ? ` (A/B test ${test.name})` : ' (no A/B test running)') +
          '; clicks and purchases are drawn from the generator’s true preferences\n',
      );
      let report: AbReport | null = null;
      let decided = false;
      const deadline = Date.now() + positiveInt(options.duration, '--duration') * 1000;
      const sim = startSimulation({
        transport: {
          recommend: async (body): Promise<RecommendResponse> =>
            recommendResponseSchema.parse((await gateway.json('POST', `${path}/recommend`, body)).body),
          outcome: async (body) => {
            await gateway.json('POST', `${path}/outcomes`, body);
          },
        },
        truth,
        shopperIds: Array.from({ length: shoppers }, (_, i) => `u${i}`),
        k: positiveInt(options.k, '--k'),
        concurrency: positiveInt(options.concurrency, '--concurrency'),
        seed: positiveInt(options.seed, '--seed'),
        ...(options.visits ? { maxVisits: positiveInt(options.visits, '--visits') } : {}),
        shouldStop: () => Date.now() > deadline || (options.untilDecided === true && decided),
      });
      const every = positiveInt(options.progressEvery, '--progress-every') * 1000;
      let finished = false;
      const progress = (async () => {
        while (!finished) {
          await Promise.race([sim.done, new Promise((r) => setTimeout(r, every))]);
          if (test) {
            report = await api
              .json<AbReport>('GET', `/ab-tests/${test.id}/report`)
              .then((r) => r.body)
              .catch(() => report);
            if (report && report.status !== 'running') decided = true;
          }
          if (finished) break;
          const arms = [...sim.state.arms.entries()]
            .filter(([arm]) => arm !== 'none')
            .map(([arm, t]) => `${arm} ${t.units}`)
            .join(', ');
          io.stderr.write(
            `  ${sim.state.visits} visits${sim.state.failedRequests ? ` (${sim.state.failedRequests} failed requests)` : ''}; shoppers ${arms || 'none in a test yet'}` +
              (report
                ? `; step ${report.currentStep + 1}/${report.steps.length}; measured lift ${measuredLift(report)}; ${report.status}`
                : '') +
              '\n',
          );
        }
      })();
      const state = await sim.done.finally(() => (finished = true));
      await progress;
      io.stdout.write(
        `SIMULATION summary: ${state.visits} visits, ${state.failedRequests} failed requests\n`,
      );
      io.stdout.write(`${renderArms(state)}\n`);
      if (test) {
        const final = await api.json<AbReport>('GET', `/ab-tests/${test.id}/report`).then((r) => r.body);
        const control = final.analysis.variants.find((v) => v.isControl)?.name;
        const treatment = final.analysis.variants.find((v) => !v.isControl)?.name;
        const lift = control && treatment ? trueLift(state, control, treatment) : undefined;
        io.stdout.write(
          `A/B test ${final.name}: ${final.status}; ${final.primaryMetric}: true lift ${lift ? pct(final.primaryMetric === 'revenue' ? lift.revenue : lift.conversion) : 'n/a'}, ` +
            `measured ${measuredLift(final)} (always-valid interval); true revenue lift ${lift ? pct(lift.revenue) : 'n/a'}\n`,
        );
      }
    });
}
