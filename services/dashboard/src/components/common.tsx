/** Small building blocks shared by the pages: status badges, errors, loading, key/value lists. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/api-error.ts';
import { href } from '../routing/routes.ts';

const TONES: Record<string, string> = {
  succeeded: 'ok',
  passed: 'ok',
  active: 'ok',
  promoted: 'ok',
  better: 'ok',
  none: 'ok',
  enabled: 'ok',
  running: 'info',
  queued: 'muted',
  pending: 'muted',
  draft: 'muted',
  overridden: 'warn',
  moderate: 'warn',
  inconclusive: 'muted',
  rolling_out: 'info',
  failed: 'bad',
  cancelled: 'muted',
  skipped: 'muted',
  rolled_back: 'bad',
  worse: 'bad',
  drifted: 'bad',
  stopped: 'muted',
  disabled: 'muted',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${TONES[status] ?? 'muted'}`} data-status={status}>
      {label ?? status.replace(/_/g, ' ')}
    </span>
  );
}

export function ErrorBox({ error, title }: { error: Error | null | undefined; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="error-box" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
      {api?.status === 401 ? (
        <>
          {' '}
          <a href={href.settings()}>Change the API key</a>
        </>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function ProgressBar({ value, status }: { value: number; status?: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <span
      className={`progress progress-${TONES[status ?? ''] ?? 'info'}`}
      role="progressbar"
      aria-valuenow={pct}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <span style={{ width: `${pct}%` }} />
      <em>{pct}%</em>
    </span>
  );
}

export function KeyValues({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="kv">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Section({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card">
      <header>
        <h2>{title}</h2>
        {actions ? <div className="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted empty">{children}</p>;
}

/** JSON that is not worth a dedicated view (hyperparameters, policies). */
export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
