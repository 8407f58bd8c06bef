/**
 * One evaluation: the gate verdict and its reasons, its metrics against the production
 * baseline, and what the evaluate stage stored beside them: ROC and precision-recall curves,
 * the confusion matrix, calibration, per-slice metrics, and lift/gains where computed.
 */
import { useMemo } from 'react';
import { useApiData } from '../api/api-context.tsx';
import type { Evaluation, ModelVersion } from '@lathe/contract';
import { reasonLines } from '../ab-tests/ab-report-view.ts';
import { CurveChart } from '../charts/curve-chart.tsx';
import type { CurveInput } from '../charts/curve-series.ts';
import { GlobalImportance } from '../components/global-importance.tsx';
import { Empty, ErrorBox, KeyValues, Loading, Section, StatusBadge } from '../components/common.tsx';
import { ConfusionHeatmap } from '../components/confusion-heatmap.tsx';
import {
  calibrationPoints,
  confusionHeatmap,
  curvePoints,
  popularityRows,
  sliceTable,
  type BaselineRow,
  type SliceTable,
} from '../evaluations/evaluation-view.ts';
import { changeDirection, metricsNote, numericMetrics } from '../evaluations/metric-table.ts';
import { formatMetric, formatTimestamp, shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function EvaluationPage({ id }: { id: string }) {
  const evaluation = useApiData<Evaluation>(`/evaluations/${encodeURIComponent(id)}`);
  const model = useApiData<ModelVersion>(
    evaluation.data ? `/model-versions/${evaluation.data.modelVersionId}` : null,
  );
  const baseline = useApiData<ModelVersion>(
    evaluation.data?.baselineModelVersionId
      ? `/model-versions/${evaluation.data.baselineModelVersionId}`
      : null,
  );
  if (evaluation.error && !evaluation.data) return <ErrorBox error={evaluation.error} title="Evaluation" />;
  if (!evaluation.data) return <Loading what="evaluation" />;
  const e = evaluation.data;
  const base = e.baselineMetrics ?? {};
  const reasons = reasonLines(e.reasons);
  return (
    <>
      <nav className="crumbs">
        <a href={href.models()}>Models</a> /{' '}
        {model.data ? <a href={href.model(model.data.modelName)}>{model.data.modelName}</a> : '…'} /{' '}
        <span>evaluation {shortId(e.id)}</span>
      </nav>
      <h1>
        Evaluation of{' '}
        {model.data ? `${model.data.modelName} v${model.data.version}` : shortId(e.modelVersionId)}{' '}
        <StatusBadge status={e.verdict} />
      </h1>
      <Section title="Gate">
        <KeyValues
          items={[
            ['verdict', <StatusBadge status={e.verdict} />],
            [
              'data',
              <a
                href={href.datasetVersion(e.datasetVersionId)}
              >{`${shortId(e.datasetVersionId)} (${e.split})`}</a>,
            ],
            [
              'baseline',
              baseline.data
                ? `${baseline.data.modelName} v${baseline.data.version}`
                : e.baselineModelVersionId
                  ? shortId(e.baselineModelVersionId)
                  : 'none (no model in production)',
            ],
            ['run', e.runId ? <a href={href.run(e.runId)}>{shortId(e.runId)}</a> : '—'],
            ['scored', formatTimestamp(e.createdAt)],
          ]}
        />
        {reasons.length > 0 ? (
          <ul className="reasons" data-testid="gate-reasons">
            {reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        ) : null}
        {e.overrideReason ? <p className="notice">Overridden: {e.overrideReason}</p> : null}
      </Section>
      <EvaluationCharts evaluation={e} />
      <Section title="Metrics">
        {numericMetrics(e.metrics).length === 0 ? <Empty>No numeric metric was stored.</Empty> : null}
        {metricsNote(e.metrics) ? (
          <p className="notice" data-testid="metrics-note">
            {metricsNote(e.metrics)}
          </p>
        ) : null}
        <table className="table">
          <thead>
            <tr>
              <th>metric</th>
              <th>this model</th>
              <th>baseline</th>
              <th>change</th>
            </tr>
          </thead>
          <tbody>
            {numericMetrics(e.metrics).map(([name, value]) => {
              const b = typeof base[name] === 'number' ? (base[name] as number) : null;
              const diff = b === null ? null : value - b;
              const direction = changeDirection(name, diff);
              return (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{formatMetric(value)}</td>
                  <td>{formatMetric(b)}</td>
                  <td className={direction ?? ''}>
                    {diff === null ? '—' : `${diff > 0 ? '+' : ''}${formatMetric(diff)}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <GlobalImportance explanation={evaluation.data.explanations} />
    </>
  );
}

/** Curves, confusion matrix, calibration, slices and lift/gains of one stored evaluation. */
export function EvaluationCharts({ evaluation }: { evaluation: Evaluation }) {
  const curves = evaluation.curves ?? null;
  const metric = (name: string) =>
    typeof evaluation.metrics[name] === 'number' ? (evaluation.metrics[name] as number) : null;
  const charts = useMemo(() => {
    const roc = curvePoints(curves?.roc);
    const pr = curvePoints(curves?.pr);
    const perClass = (curves?.rocPerClass ?? []).flatMap((c) => {
      const points = curvePoints(c.points);
      return points ? [{ name: c.name, points }] : [];
    });
    const calibration = calibrationPoints(curves?.calibration);
    const lift = curvePoints(curves?.lift);
    const gains = curvePoints(curves?.gains);
    return {
      roc: roc ? [{ name: 'ROC', points: roc }] : perClass.length > 0 ? perClass : null,
      pr: pr ? [{ name: 'precision-recall', points: pr }] : null,
      calibration: calibration
        ? [{ name: 'observed', points: calibration.map((p) => ({ x: p.predicted, y: p.observed })) }]
        : null,
      lift: lift ? [{ name: 'lift', points: lift }] : null,
      gains: gains ? [{ name: 'cumulative gains', points: gains }] : null,
    } satisfies Record<string, CurveInput[] | null>;
  }, [curves]);
  const heatmap = useMemo(() => confusionHeatmap(curves), [curves]);
  const slices = useMemo(() => sliceTable(evaluation.slices), [evaluation.slices]);
  const auc = metric('auc');
  const ap = metric('averagePrecision');
  const ece = metric('ece');
  const popularity = useMemo(() => popularityRows(curves), [curves]);
  const classifier = !!(charts.roc || charts.pr || heatmap || charts.calibration);
  if (!classifier) {
    return (
      <>
        <Section title="Curves">
          <Empty>
            Not a classifier&apos;s evaluation (or one scored without scores): ROC, precision-recall, the
            confusion matrix and calibration apply to classifiers.
          </Empty>
        </Section>
        {popularity ? <PopularitySection rows={popularity} /> : null}
        <SlicesSection slices={slices} />
      </>
    );
  }
  return (
    <>
      <Section title="ROC, precision-recall and confusion matrix">
        <div className="charts" data-testid="evaluation-curves">
          {charts.roc ? (
            <CurveChart
              id="roc"
              title={`ROC${charts.roc.length > 1 ? ' (one class vs the rest)' : ''}${auc !== null ? ` · AUC ${formatMetric(auc)}` : ''}`}
              xLabel="false positive rate"
              yLabel="true positive rate"
              curves={charts.roc}
              reference
            />
          ) : null}
          {charts.pr ? (
            <CurveChart
              id="pr"
              title={`Precision-recall${ap !== null ? ` · AP ${formatMetric(ap)}` : ''}`}
              xLabel="recall"
              yLabel="precision"
              curves={charts.pr}
            />
          ) : null}
          {heatmap ? (
            <figure className="chart">
              <figcaption>Confusion matrix (rows: true class)</figcaption>
              <ConfusionHeatmap heatmap={heatmap} />
            </figure>
          ) : null}
        </div>
      </Section>
      <div className="columns">
        <Section title="Calibration">
          {charts.calibration ? (
            <CurveChart
              id="calibration"
              title={`Observed vs predicted, per bin${ece !== null ? ` · ECE ${formatMetric(ece)}` : ''}`}
              xLabel="mean predicted probability"
              yLabel="fraction positive"
              curves={charts.calibration}
              reference
              points
            />
          ) : (
            <Empty>No calibration bins with rows.</Empty>
          )}
        </Section>
        <SlicesSection slices={slices} />
      </div>
      {charts.lift || charts.gains ? (
        <Section title="Lift and gains">
          <div className="charts" data-testid="lift-gains">
            {charts.gains ? (
              <CurveChart
                id="gains"
                title="Cumulative gains"
                xLabel="share of rows targeted"
                yLabel="share of positives found"
                curves={charts.gains}
                reference
              />
            ) : null}
            {charts.lift ? (
              <CurveChart
                id="lift"
                title="Lift"
                xLabel="share of rows targeted"
                yLabel="lift"
                curves={charts.lift}
                fitY
              />
            ) : null}
          </div>
        </Section>
      ) : null}
    </>
  );
}

function SlicesSection({ slices }: { slices: SliceTable | null }) {
  return (
    <Section title="Slices">
      {slices ? (
        <table className="table" data-testid="slices">
          <thead>
            <tr>
              <th>segment</th>
              <th>rows</th>
              {slices.metrics.map((m) => (
                <th key={m}>{m}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {slices.rows.map((row) => (
              <tr key={row.segment}>
                <td>{row.segment}</td>
                <td>{row.count}</td>
                {row.values.map((v, i) => (
                  <td key={slices.metrics[i]}>{formatMetric(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No slices were evaluated.</Empty>
      )}
    </Section>
  );
}

/** A recommender against recommending the best-sellers to the same users. */
function PopularitySection({ rows }: { rows: BaselineRow[] }) {
  return (
    <Section title="Against recommending the best-sellers">
      <table className="table" data-testid="popularity-baseline">
        <thead>
          <tr>
            <th>metric</th>
            <th>this model</th>
            <th>most popular items</th>
            <th>difference</th>
            <th>lift</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.metric}>
              <td>{r.metric}</td>
              <td>{formatMetric(r.model)}</td>
              <td>{formatMetric(r.baseline)}</td>
              <td className={changeDirection(r.metric, r.delta) ?? ''}>
                {`${r.delta > 0 ? '+' : ''}${formatMetric(r.delta)}`}
              </td>
              <td>{r.lift === null ? '—' : `×${formatMetric(r.lift)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
