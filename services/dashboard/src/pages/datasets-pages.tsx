/** Datasets, the versions of one, and one version's profile and drift. */
import { useApiData } from '../api/api-context.tsx';
import { withQuery } from '../api/api-client.ts';
import type { Dataset, DatasetVersion, Page } from '@lathe/contract';
import { Empty, ErrorBox, KeyValues, Loading, Section, StatusBadge } from '../components/common.tsx';
import { Histogram } from '../components/histogram.tsx';
import { PrivacyBudgetPanel } from '../components/privacy-budget-panel.tsx';
import { driftView } from '../datasets/drift-view.ts';
import { profileColumns, profileSummary } from '../datasets/profile-view.ts';
import { formatAgo, formatBytes, formatMetric, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

const show = (v: number | string) => (typeof v === 'number' ? formatMetric(v) : v);

export function DatasetsPage({ now }: { now: number }) {
  const datasets = useApiData<Page<Dataset>>(withQuery('/datasets', { limit: 200 }));
  return (
    <Section title="Datasets">
      <ErrorBox error={datasets.error} />
      {datasets.loading && !datasets.data ? <Loading what="datasets" /> : null}
      {datasets.data && datasets.data.items.length === 0 ? <Empty>No datasets yet.</Empty> : null}
      {datasets.data && datasets.data.items.length > 0 ? (
        <table className="table" data-testid="datasets">
          <thead>
            <tr>
              <th>name</th>
              <th>use case</th>
              <th>created</th>
            </tr>
          </thead>
          <tbody>
            {datasets.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={href.dataset(d.id)}>{d.name}</a>
                  {d.description ? <div className="muted small">{d.description}</div> : null}
                </td>
                <td>{d.useCase}</td>
                <td>{formatAgo(d.createdAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

export function DatasetPage({ id }: { id: string }) {
  const dataset = useApiData<Dataset>(`/datasets/${encodeURIComponent(id)}`);
  const versions = useApiData<Page<DatasetVersion>>(
    withQuery(`/datasets/${encodeURIComponent(id)}/versions`, { limit: 100 }),
  );
  if (dataset.error && !dataset.data) return <ErrorBox error={dataset.error} title="Dataset" />;
  if (!dataset.data) return <Loading what="dataset" />;
  return (
    <>
      <nav className="crumbs">
        <a href={href.datasets()}>Datasets</a> / <span>{dataset.data.name}</span>
      </nav>
      <h1>{dataset.data.name}</h1>
      <Section title="Versions">
        <ErrorBox error={versions.error} />
        {versions.data && versions.data.items.length === 0 ? (
          <Empty>
            No versions: upload data with POST /datasets/:id/versions or <code>lathe dataset ingest</code>.
          </Empty>
        ) : null}
        {versions.data && versions.data.items.length > 0 ? (
          <table className="table" data-testid="dataset-versions">
            <thead>
              <tr>
                <th>version</th>
                <th>rows</th>
                <th>size</th>
                <th>format</th>
                <th>drift vs previous</th>
                <th>sha256</th>
                <th>created</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.items.map((v) => {
                const drift = driftView(v.drift);
                return (
                  <tr key={v.id}>
                    <td>
                      <a href={href.datasetVersion(v.id)}>v{v.version}</a>
                    </td>
                    <td>{v.rows.toLocaleString('en-US')}</td>
                    <td>{formatBytes(v.sizeBytes)}</td>
                    <td>{v.format}</td>
                    <td>
                      {drift ? (
                        <StatusBadge
                          status={drift.overall}
                          label={drift.overall === 'none' ? 'stable' : drift.overall}
                        />
                      ) : (
                        <span className="muted">{v.parentId ? 'not computed' : 'first version'}</span>
                      )}
                    </td>
                    <td>
                      <code>{v.sha256.slice(0, 12)}</code>
                    </td>
                    <td>{formatTimestamp(v.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </Section>
      <PrivacyBudgetPanel datasetId={id} />
    </>
  );
}

export function DatasetVersionPage({ id }: { id: string }) {
  const version = useApiData<DatasetVersion>(`/dataset-versions/${encodeURIComponent(id)}`);
  if (version.error && !version.data) return <ErrorBox error={version.error} title="Dataset version" />;
  if (!version.data) return <Loading what="dataset version" />;
  const v = version.data;
  const columns = profileColumns(v.profile);
  const drift = driftView(v.drift);
  return (
    <>
      <nav className="crumbs">
        <a href={href.datasets()}>Datasets</a> / <a href={href.dataset(v.datasetId)}>dataset</a> /{' '}
        <span>v{v.version}</span>
      </nav>
      <h1>Dataset version {v.version}</h1>
      <Section title="Version">
        <KeyValues
          items={[
            ['rows', v.rows.toLocaleString('en-US')],
            ['size', formatBytes(v.sizeBytes)],
            ['format', v.format],
            ['sha256', <code>{v.sha256}</code>],
            [
              'parent',
              v.parentId ? <a href={href.datasetVersion(v.parentId)}>{shortId(v.parentId)}</a> : 'none',
            ],
            ['created', formatTimestamp(v.createdAt)],
            ...profileSummary(v.profile)
              .filter(({ label }) => label !== 'rows')
              .map(({ label, value }): [string, string] => [label, String(show(value))]),
          ]}
        />
      </Section>
      <Section title="Profile">
        {columns.length === 0 ? <Empty>No profile was recorded for this version.</Empty> : null}
        <div className="profile" data-testid="profile">
          {columns.map((c) => (
            <div key={c.name} className="column-card">
              <h3>
                {c.name} {c.type ? <span className="muted small">{c.type}</span> : null}
              </h3>
              {c.histogram ? <Histogram bars={c.histogram} /> : null}
              <dl className="stats">
                {c.stats.map((s) => (
                  <div key={s.label}>
                    <dt>{s.label}</dt>
                    <dd>{show(s.value)}</dd>
                  </div>
                ))}
              </dl>
              {c.top ? (
                <ol className="top small">
                  {c.top.slice(0, 5).map((t) => (
                    <li key={t.value}>
                      {t.value} <span className="muted">({t.count.toLocaleString('en-US')})</span>
                    </li>
                  ))}
                </ol>
              ) : null}
            </div>
          ))}
        </div>
      </Section>
      <Section title="Drift against the previous version">
        {!drift ? (
          <Empty>
            {v.parentId
              ? 'Drift was not computed for this version.'
              : 'This is the first version: nothing to compare with.'}
          </Empty>
        ) : (
          <>
            <p>
              Overall:{' '}
              <StatusBadge
                status={drift.overall}
                label={drift.overall === 'none' ? 'stable' : drift.overall}
              />
            </p>
            {drift.reasons.length ? (
              <ul className="reasons">
                {drift.reasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            ) : null}
            <table className="table" data-testid="drift">
              <thead>
                <tr>
                  <th>column</th>
                  <th>verdict</th>
                  <th>statistics</th>
                </tr>
              </thead>
              <tbody>
                {drift.columns.map((c) => (
                  <tr key={c.column}>
                    <td>{c.column}</td>
                    <td>
                      <StatusBadge status={c.level} label={c.level === 'none' ? 'stable' : c.level} />
                    </td>
                    <td className="small">
                      {c.stats.map((s) => `${s.label} ${show(s.value)}`).join(' · ')}
                      {c.message ? <div>{c.message}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
    </>
  );
}
