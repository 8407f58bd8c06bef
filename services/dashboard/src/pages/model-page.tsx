/**
 * One model: its versions with metrics, its aliases (production, challenger…), and the
 * evaluations of each version with the gate verdict; two or more evaluations can be picked to
 * compare, the first picked being the one the others are measured against.
 */
import { useState } from 'react';
import { useAction, useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { Evaluation, ModelAlias, ModelVersion, Page } from '@lathe/contract';
import { Empty, ErrorBox, Loading, Section, StatusBadge } from '../components/common.tsx';
import { numericMetrics } from '../evaluations/metric-table.ts';
import { formatBytes, formatMetric, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

/** The compare page's charts have a distinct colour for this many versions. */
const MAX_COMPARED = 6;

export function ModelPage({ name }: { name: string }) {
  const enc = encodeURIComponent(name);
  const versions = useApiData<Page<ModelVersion>>(withQuery(`/models/${enc}/versions`, { limit: 100 }));
  const aliases = useApiData<{ items: ModelAlias[] }>(`/models/${enc}/aliases`);
  const [picked, setPicked] = useState<string[]>([]);
  const move = useAction((client, alias: string, version: number, current: ModelAlias | undefined) =>
    client.put<ModelAlias>(
      `/models/${enc}/aliases/${encodeURIComponent(alias)}`,
      { version },
      current ? { headers: { 'if-match': `"${current.revision}"` } } : {},
    ),
  );

  if (versions.error && !versions.data) return <ErrorBox error={versions.error} title="Model" />;
  if (!versions.data) return <Loading what="model versions" />;
  const aliasOf = (versionId: string) =>
    (aliases.data?.items ?? []).filter((a) => a.modelVersionId === versionId).map((a) => a.alias);
  const metricNames = [
    ...new Set(versions.data.items.flatMap((v) => numericMetrics(v.metrics).map(([k]) => k))),
  ].slice(0, 8);
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-MAX_COMPARED)));

  return (
    <>
      <nav className="crumbs">
        <a href={href.models()}>Models</a> / <span>{name}</span>
      </nav>
      <h1>{name}</h1>
      <Section title="Aliases">
        <ErrorBox error={aliases.error ?? move.error} />
        {aliases.data && aliases.data.items.length === 0 ? (
          <Empty>No aliases: nothing serves this model yet.</Empty>
        ) : null}
        <ul className="aliases" data-testid="aliases">
          {(aliases.data?.items ?? []).map((a) => (
            <li key={a.alias}>
              <span className="badge badge-info">{a.alias}</span> → v{a.modelVersion?.version ?? '?'}{' '}
              <span className="muted small">
                (moved {formatTimestamp(a.updatedAt)}, revision {a.revision})
              </span>
            </li>
          ))}
        </ul>
      </Section>
      <Section
        title="Versions"
        actions={
          picked.length >= 2 ? (
            <a className="button" href={href.compare(...picked)}>
              Compare the {picked.length} picked evaluations
            </a>
          ) : (
            <span className="muted small">Pick two or more evaluations to compare them.</span>
          )
        }
      >
        <table className="table" data-testid="versions">
          <thead>
            <tr>
              <th>version</th>
              <th>aliases</th>
              {metricNames.map((m) => (
                <th key={m}>{m}</th>
              ))}
              <th>size</th>
              <th>run</th>
              <th>evaluations</th>
              <th>set alias</th>
            </tr>
          </thead>
          <tbody>
            {versions.data.items.map((v) => (
              <tr key={v.id}>
                <td>
                  v{v.version}
                  <div className="muted small">{formatTimestamp(v.createdAt)}</div>
                </td>
                <td>
                  {aliasOf(v.id).map((a) => (
                    <span key={a} className="badge badge-info">
                      {a}
                    </span>
                  ))}
                </td>
                {metricNames.map((m) => (
                  <td key={m}>
                    {formatMetric(typeof v.metrics[m] === 'number' ? (v.metrics[m] as number) : null)}
                  </td>
                ))}
                <td>{formatBytes(v.sizeBytes)}</td>
                <td>{v.runId ? <a href={href.run(v.runId)}>{shortId(v.runId)}</a> : '—'}</td>
                <td>
                  <VersionEvaluations versionId={v.id} picked={picked} onPick={toggle} />
                </td>
                <td>
                  {['production', 'challenger'].map((alias) => (
                    <button
                      key={alias}
                      type="button"
                      className="secondary small"
                      disabled={move.pending || aliasOf(v.id).includes(alias)}
                      onClick={() =>
                        void move
                          .run(
                            alias,
                            v.version,
                            aliases.data?.items.find((a) => a.alias === alias),
                          )
                          .then((r) => r && aliases.reload())
                      }
                    >
                      {alias}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function VersionEvaluations({
  versionId,
  picked,
  onPick,
}: {
  versionId: string;
  picked: string[];
  onPick: (id: string) => void;
}) {
  const evaluations = useApiData<Page<Evaluation>>(
    withQuery('/evaluations', { modelVersionId: versionId, limit: 20 }),
  );
  if (evaluations.error) return <span className="bad small">{evaluations.error.message}</span>;
  if (!evaluations.data) return <span className="muted">…</span>;
  if (evaluations.data.items.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain">
      {evaluations.data.items.map((e) => (
        <li key={e.id}>
          <input
            type="checkbox"
            aria-label={`pick evaluation ${shortId(e.id)}`}
            checked={picked.includes(e.id)}
            onChange={() => onPick(e.id)}
          />{' '}
          <a href={href.evaluation(e.id)}>{e.split}</a> <StatusBadge status={e.verdict} />
        </li>
      ))}
    </ul>
  );
}
