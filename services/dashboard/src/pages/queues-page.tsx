/** Depth of every pipeline queue and the failed jobs (dead letters). */
import { useApiData } from '../api/api-context.tsx';
import type { DeadLetter, QueueStat } from '@lathe/contract';
import { Empty, ErrorBox, Loading, Section } from '../components/common.tsx';
import { formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function QueuesPage() {
  const stats = useApiData<{ items: QueueStat[] }>('/queues', { refreshMs: 5000 });
  const failed = useApiData<{ items: DeadLetter[] }>('/queues/failed?limit=50');
  return (
    <>
      <Section title="Queues">
        <ErrorBox error={stats.error} />
        {!stats.data ? (
          <Loading what="queues" />
        ) : (
          <table className="table" data-testid="queues">
            <thead>
              <tr>
                <th>queue</th>
                <th>waiting</th>
                <th>active</th>
                <th>delayed</th>
                <th>failed</th>
                <th>completed</th>
              </tr>
            </thead>
            <tbody>
              {stats.data.items.map((q) => (
                <tr key={q.queue}>
                  <td>{q.queue}</td>
                  <td>{q.waiting}</td>
                  <td>{q.active}</td>
                  <td>{q.delayed}</td>
                  <td className={q.failed > 0 ? 'bad' : ''}>{q.failed}</td>
                  <td>{q.completed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Failed jobs">
        <ErrorBox error={failed.error} />
        {failed.data && failed.data.items.length === 0 ? <Empty>No failed jobs.</Empty> : null}
        {failed.data && failed.data.items.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>job</th>
                <th>run</th>
                <th>stage</th>
                <th>attempts</th>
                <th>reason</th>
                <th>failed at</th>
              </tr>
            </thead>
            <tbody>
              {failed.data.items.map((j) => (
                <tr key={j.jobId}>
                  <td>
                    <code>{j.jobId}</code>
                  </td>
                  <td>{j.runId ? <a href={href.run(j.runId)}>{shortId(j.runId)}</a> : '—'}</td>
                  <td>{j.stage ?? '—'}</td>
                  <td>{j.attemptsMade}</td>
                  <td className="small">{j.failedReason}</td>
                  <td>{formatTimestamp(j.failedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}
