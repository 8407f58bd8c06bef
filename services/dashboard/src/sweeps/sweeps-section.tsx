/**
 * An experiment's hyperparameter sweeps: per sweep, its trials ranked by the validation metric
 * at each run's kept epoch, each linked to its run, the best and the promoted trial marked.
 */
import type { SweepResource } from '@lathe/contract';
import { Empty, Section } from '../components/common.tsx';
import { formatMetric } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function SweepTable({ sweep }: { sweep: SweepResource }) {
  return (
    <div data-testid="sweep">
      <p className="small">
        Sweep <code>{sweep.id.slice(0, 8)}</code> ({sweep.status}): {sweep.trials.length} trials ranked by{' '}
        {sweep.metric}
        {sweep.folds > 1 ? ` (mean of ${sweep.folds} folds)` : ''} (
        {sweep.direction === 'min' ? 'lower' : 'higher'} is better)
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>rank</th>
            <th>run</th>
            <th>status</th>
            <th>{sweep.metric}</th>
            <th>kept epoch</th>
            <th>hyperparameters</th>
          </tr>
        </thead>
        <tbody>
          {sweep.trials.map((t) => (
            <tr key={t.runId} data-testid="sweep-trial">
              <td>
                {t.rank ?? '—'}
                {sweep.promotedRunId === t.runId ? ' (promoted)' : t.rank === 1 ? ' (best)' : ''}
              </td>
              <td>
                <a href={href.run(t.runId)}>{t.runId.slice(0, 8)}</a>
              </td>
              <td>{t.errorCode ? `${t.status} (${t.errorCode})` : t.status}</td>
              <td>{t.value === null ? '—' : formatMetric(t.value)}</td>
              <td>{t.keptEpoch ?? '—'}</td>
              <td>
                <code>{JSON.stringify(t.hyperparameters)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SweepsSection({ sweeps }: { sweeps: SweepResource[] | null }) {
  return (
    <Section title="Sweeps">
      {sweeps && sweeps.length === 0 ? (
        <Empty>No sweep yet: lathe sweep start {'<experiment>'} --grid … compares hyperparameters.</Empty>
      ) : null}
      {sweeps?.map((s) => (
        <SweepTable key={s.id} sweep={s} />
      ))}
    </Section>
  );
}
