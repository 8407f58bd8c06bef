/**
 * `lathe deployments list [--endpoint e]`, `lathe deploy <endpoint> <modelVersionId>
 * [--strategy direct|shadow|blue_green]`, `lathe deployments switch <id>` and `lathe deployments
 * stop <id> [--reason r]`: what serves each endpoint and how (a shadow's agreement with
 * production shown beside it, a stopped one's time and reason), the blue-green switch (the same
 * command on the standby switches back), and ending a shadow or a blue-green candidate/standby.
 */
import type { Command } from 'commander';
import type { Deployment } from '@lathe/contract';
import type { ApiClient } from '../api-client.ts';
import type { CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const ms = (x: number | null | undefined) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '-');

export function renderDeployments(items: Deployment[]): string {
  return formatTable(
    [
      'id',
      'endpoint',
      'strategy',
      'status',
      'traffic',
      'model version',
      'warmed',
      'shadow agreement',
      'shadow latency',
      'stopped',
    ],
    items.map((d) => [
      d.id.slice(0, 8),
      d.endpoint,
      d.strategy,
      d.status,
      pct(d.traffic),
      d.modelVersionId.slice(0, 8),
      d.warmedAt ? d.warmedAt.slice(0, 19) : null,
      d.shadow ? `${pct(d.shadow.agreementRate)} of ${d.shadow.answers - d.shadow.errors}` : null,
      d.shadow ? `${ms(d.shadow.meanShadowLatencyMs)} vs ${ms(d.shadow.meanProductionLatencyMs)}` : null,
      d.stoppedAt ? `${d.stoppedAt.slice(0, 19)}: ${d.stopReason ?? ''}` : null,
    ]),
  );
}

export function registerDeploymentCommands(program: Command, client: () => ApiClient, io: CliIo): void {
  const deployments = program.command('deployments').description('what serves each endpoint');
  deployments
    .command('list')
    .option('--endpoint <name>')
    .description('deployments, newest first, with shadow comparisons')
    .action(async (options: { endpoint?: string }) => {
      const query = options.endpoint ? `?endpoint=${encodeURIComponent(options.endpoint)}` : '';
      const { body } = await client().json<{ items: Deployment[] }>('GET', `/deployments${query}`);
      io.stdout.write(renderDeployments(body.items));
    });
  deployments
    .command('switch')
    .argument('<id>', 'the standby deployment (a staged blue-green one, or the one a switch replaced)')
    .description('switch all of its endpoint’s traffic to a warmed standby')
    .action(async (id: string) => {
      const { body } = await client().json<{ active: Deployment; standby: Deployment | null }>(
        'POST',
        `/deployments/${encodeURIComponent(id)}/switch`,
      );
      io.stdout.write(
        `${body.active.endpoint} → model version ${body.active.modelVersionId} (deployment ${body.active.id})` +
          (body.standby
            ? `; standby ${body.standby.id}: switch back with \`lathe deployments switch ${body.standby.id}\``
            : '') +
          '\n',
      );
    });
  deployments
    .command('stop')
    .argument('<id>', 'a shadow deployment, or a blue-green candidate or standby')
    .option('--reason <text>', 'why (kept on the deployment and in the audit log)')
    .description('end a rollout strategy: stop mirroring to a shadow, or drop a candidate/standby')
    .action(async (id: string, options: { reason?: string }) => {
      const { body } = await client().json<Deployment>(
        'POST',
        `/deployments/${encodeURIComponent(id)}/stop`,
        options.reason ? { reason: options.reason } : {},
      );
      io.stdout.write(
        `deployment ${body.id}: ${body.strategy} on ${body.endpoint} stopped at ${body.stoppedAt} (${body.stopReason})` +
          (body.shadow ? `; its comparison: ${body.shadow.answers} answers kept` : '') +
          '\n',
      );
    });
  program
    .command('deploy')
    .argument('<endpoint>')
    .argument('<modelVersionId>')
    .option('--strategy <strategy>', 'direct | shadow | blue_green', 'direct')
    .description('deploy a model version to an endpoint (outside an A/B test)')
    .action(async (endpoint: string, modelVersionId: string, options: { strategy: string }) => {
      const { body } = await client().json<Deployment>('POST', '/deployments', {
        endpoint,
        modelVersionId,
        strategy: options.strategy,
      });
      io.stdout.write(
        `deployment ${body.id}: ${body.strategy} on ${body.endpoint} (${body.status})` +
          (body.strategy === 'blue_green' ? `; once warmed: lathe deployments switch ${body.id}` : '') +
          '\n',
      );
    });
}
