/**
 * `lathe ab report <test>`: the analysis the rollout monitor decides on, as tables: per arm the
 * units and the primary metric, the treatment's lift with its always-valid and fixed-horizon
 * intervals, the guardrails, the sample-ratio check, the Bayesian view, the business readout and
 * the last decisions. `lathe ab plan`: units and days a test needs before it starts.
 */
import type { Command } from 'commander';
import type { AbPlan, AbReport } from '@lathe/experiments';
import type { ApiClient } from '../api-client.ts';
import type { CliIo } from '../io.ts';
import { resolveId } from '../resolve.ts';
import { formatTable } from '../table.ts';

// JSON turns an infinite interval end into null.
type Num = number | null | undefined;
const finite = (x: Num): x is number => typeof x === 'number' && Number.isFinite(x);
const pct = (x: Num) => (finite(x) ? `${(x * 100).toFixed(2)}%` : '-');
const signedPct = (x: Num) => (finite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%` : '-');
const num = (x: Num, digits = 4) =>
  finite(x) ? (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits)) : '-';
const interval = (i: readonly Num[] | null | undefined, f: (x: Num) => string) =>
  i ? `[${finite(i[0]) ? f(i[0]) : '-∞'}, ${finite(i[1]) ? f(i[1]) : '+∞'}]` : '-';
const p = (x: Num) => (finite(x) ? (x < 0.001 ? '< 0.001' : x.toFixed(4)) : '-');

export function renderAbReport(report: AbReport): string {
  const { analysis } = report;
  const t = analysis.treatments[0];
  const primary = t?.primary;
  const isRate = primary?.kind === 'proportion';
  const value = (x: Num) => (isRate ? pct(x) : num(x));
  const out: string[] = [];
  out.push(
    `A/B test ${report.name} (${report.status}) on ${report.endpoint}: metric ${report.primaryMetric}, ${report.decisionRule} rule, alpha ${report.alpha}; ` +
      `step ${report.currentStep + 1} of ${report.steps.length} (treatment ${pct(report.steps[report.currentStep])} of traffic, coverage ${pct(report.coverage)})`,
  );
  const perArm = analysis.variants.map((v) => {
    const isControl = v.isControl;
    const mean = primary ? (isControl ? primary.control : primary.treatment) : null;
    const lift = !isControl && primary ? primary.relative : null;
    return [
      v.name + (isControl ? ' (control)' : ''),
      v.units,
      value(mean),
      lift ? signedPct(lift.estimate) : '-',
      lift ? interval(lift.sequentialInterval, signedPct) : '-',
      lift ? interval(lift.fixedInterval, signedPct) : '-',
      !isControl && primary ? p(primary.sequential.pValue) : '-',
    ];
  });
  out.push(
    '',
    formatTable(
      [
        'variant',
        'units',
        report.primaryMetric,
        'lift',
        `always-valid ${Math.round((1 - report.alpha) * 100)}% interval`,
        'fixed-horizon interval',
        'p (always valid)',
      ],
      perArm,
    ),
  );
  if (primary?.cuped.applied) out.push(`CUPED: variance reduced by ${pct(primary.cuped.varianceReduction)}`);
  if (t && t.guardrails.length > 0) {
    out.push(
      '',
      formatTable(
        ['guardrail', 'control', 'treatment', 'bound', 'margin', 'state'],
        t.guardrails.map((g) => [
          g.name,
          num(g.control),
          num(g.treatment),
          num(g.bound),
          num(g.margin),
          g.breached ? 'BREACHED' : g.confirmedNonInferior ? 'ok (confirmed)' : 'undecided',
        ]),
      ),
    );
  }
  const srm = analysis.sampleRatioMismatch;
  out.push(
    '',
    `sample ratio: ${srm.detected ? 'MISMATCH' : 'ok'} (sequential p ${p(srm.pValue)}; chi-square p ${p(srm.chiSquare.pValue)}, display only)`,
  );
  if (primary?.bayesian) {
    const b = primary.bayesian;
    out.push(
      `bayesian: P(treatment better) ${num(b.probabilityTreatmentBetter)}; expected loss choosing treatment ${num(b.expectedLoss.chooseTreatment)}, control ${num(b.expectedLoss.chooseControl)}`,
    );
  }
  const r = analysis.readout;
  out.push(
    '',
    'business readout:',
    `  conversion: control ${pct(r.conversion?.control)}, treatment ${pct(r.conversion?.treatment)}, uplift ${signedPct(r.conversion?.relativeUplift)} ${interval(r.conversion?.interval, signedPct)}`,
    `  revenue per unit: control ${num(r.revenuePerUnit?.control)}, treatment ${num(r.revenuePerUnit?.treatment)}, difference ${num(r.revenuePerUnit?.difference)} ${interval(r.revenuePerUnit?.interval, (x) => num(x))}`,
    `  projected monthly impact: ${num(r.projectedMonthlyImpact?.estimate)} ${interval(r.projectedMonthlyImpact?.interval, (x) => num(x))} at ${num(r.unitsPerHour)} units/hour; P(loses money) ${num(r.probabilityLosesMoney)}`,
  );
  if (report.plan) out.push('', `plan: ${report.plan.message}`);
  const recent = report.history.slice(-5).reverse();
  if (recent.length > 0)
    out.push(
      '',
      formatTable(
        ['decided at', 'step', 'action', 'reason'],
        recent.map((d) => [
          d.decidedAt,
          d.step + 1,
          d.action + (d.applied ? '' : ' (not applied)'),
          d.reasons[0] ?? '',
        ]),
      ),
    );
  return out.join('\n') + '\n';
}

export function renderAbPlan(plan: AbPlan): string {
  return (
    formatTable(
      ['design', 'units', 'days'],
      [
        ['sequential (always valid)', Math.ceil(plan.sequential.units), plan.sequential.days.toFixed(1)],
        ['fixed horizon (one look)', Math.ceil(plan.fixedHorizon.units), plan.fixedHorizon.days.toFixed(1)],
      ],
    ) + `\n${plan.reachable ? '' : 'NOT REACHABLE: '}${plan.message}\n`
  );
}

export function registerAbCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const ab = program.command('ab').description('A/B tests');
  ab.command('report')
    .argument('<test>', 'A/B test name or id')
    .description(
      'the analysis the rollout monitor decides on: lift with its always-valid interval, guardrails, sample ratio, Bayesian view, business readout, last decisions',
    )
    .action(async (test: string) => {
      const api = client();
      const id = await resolveId(api, 'ab-tests', test);
      const { body } = await api.json<AbReport>('GET', `/ab-tests/${id}/report`);
      io.stdout.write(renderAbReport(body));
    });
  ab.command('plan')
    .description(
      'units and days a test needs for its minimum detectable effect, sequential and fixed-horizon',
    )
    .requiredOption('--baseline <rate>', "the control's conversion rate (or mean, with --kind mean)", Number)
    .requiredOption('--units-per-hour <n>', 'new units per hour reaching the endpoint', Number)
    .option('--mde <relative>', 'minimum detectable effect, relative (0.1 = 10%)', Number, 0.1)
    .option('--kind <kind>', 'proportion or mean', 'proportion')
    .option('--sd <sd>', 'per-unit standard deviation (mean metrics)', Number)
    .option('--power <power>', 'planned power', Number, 0.8)
    .option('--max-days <days>', 'maximum duration of the test', Number, 14)
    .action(
      async (options: {
        baseline: number;
        unitsPerHour: number;
        mde: number;
        kind: string;
        sd?: number;
        power: number;
        maxDays: number;
      }) => {
        const { body } = await client().json<AbPlan>('POST', '/ab-tests/plan', {
          baseline: options.baseline,
          kind: options.kind,
          unitsPerHour: options.unitsPerHour,
          power: options.power,
          ...(options.sd !== undefined ? { standardDeviation: options.sd } : {}),
          policy: {
            minimumDetectableEffect: options.mde,
            maxDurationMs: Math.round(options.maxDays * 86_400_000),
          },
        });
        io.stdout.write(renderAbPlan(body));
      },
    );
}
