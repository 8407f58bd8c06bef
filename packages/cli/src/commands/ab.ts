/** `lathe ab report <test>`: the A/B report as a table. */
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import { resolveId } from '../resolve.ts';
import { formatTable } from '../table.ts';
import type { CliIo } from '../io.ts';

interface Report {
  name: string;
  status: string;
  primaryMetric: string;
  alpha: number;
  variants: Array<{
    variant: string;
    isControl: boolean;
    exposures: number;
    conversions: number;
    rate: number;
    revenue: number;
    vsControl: { difference: number; relativeLift: number | null; pValue: number | null; confidenceInterval: [number, number] | null; significant: boolean } | null;
  }>;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;

export function renderAbReport(report: Report): string {
  const rows = report.variants.map((v) => [
    v.variant + (v.isControl ? ' (control)' : ''),
    v.exposures,
    v.conversions,
    pct(v.rate),
    v.vsControl?.relativeLift != null ? signedPct(v.vsControl.relativeLift) : '-',
    v.vsControl?.confidenceInterval ? `[${signedPct(v.vsControl.confidenceInterval[0])}, ${signedPct(v.vsControl.confidenceInterval[1])}]` : '-',
    v.vsControl?.pValue != null ? v.vsControl.pValue.toFixed(4) : '-',
    v.vsControl ? (v.vsControl.significant ? 'yes' : 'no') : '-',
  ]);
  return (
    `A/B test ${report.name} (${report.status}), metric ${report.primaryMetric}, alpha ${report.alpha}\n\n` +
    formatTable(['variant', 'exposures', 'conversions', 'rate', 'lift', `${Math.round((1 - report.alpha) * 100)}% CI of difference`, 'p-value', 'significant'], rows)
  );
}

export function registerAbCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  program
    .command('ab')
    .description('A/B tests')
    .command('report')
    .argument('<test>', 'A/B test name or id')
    .description('per-variant exposures, conversions, rate, lift against the control and its significance')
    .action(async (test: string) => {
      const api = client();
      const id = await resolveId(api, 'ab-tests', test);
      const { body } = await api.json<Report>('GET', `/ab-tests/${id}/report`);
      io.stdout.write(renderAbReport(body));
    });
}
