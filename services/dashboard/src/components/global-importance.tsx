/**
 * A stored evaluation's global explanation: permutation importance per feature (or token) as
 * bars of the mean drop in accuracy, with a whisker over the 2.5–97.5 % range of the repeats;
 * for images, the per-class attribution maps (ClassAttributionMaps).
 */
import type { GlobalExplanationResponse } from '@lathe/contract';
import { formatMetric } from '../format/format.ts';
import { ClassAttributionMaps } from './class-attribution-maps.tsx';
import { Section } from './common.tsx';

const ROW = 18;
const LABEL = 140;
const WIDTH = 480;

export function GlobalImportance({
  explanation,
}: {
  explanation: GlobalExplanationResponse | null | undefined;
}) {
  if (!explanation) return null;
  if (explanation.method === 'integrated_gradients')
    return <ClassAttributionMaps explanation={explanation} />;
  if (explanation.importances.length === 0) return null;
  const items = explanation.importances.slice(0, 20);
  const max = Math.max(1e-9, ...items.map((i) => Math.max(i.high, i.mean)));
  const x = (v: number) => LABEL + (Math.max(0, v) / max) * (WIDTH - LABEL - 10);
  return (
    <Section title={`What the model relies on (${explanation.over})`}>
      <p className="muted">
        Drop in {explanation.metric} when each{' '}
        {explanation.over === 'tokens' ? "token's presence" : "feature's values"} is shuffled across{' '}
        {explanation.rows.toLocaleString('en-US')} test rows ({explanation.repeats} repeats; baseline{' '}
        {formatMetric(explanation.baseline)}).
      </p>
      <svg
        data-testid="global-importance"
        width={WIDTH}
        height={items.length * ROW + 4}
        role="img"
        aria-label={`permutation importance of ${items.length} ${explanation.over}`}
      >
        {items.map((item, i) => (
          <g key={item.feature} transform={`translate(0, ${i * ROW})`}>
            <text x={LABEL - 6} y={ROW - 5} textAnchor="end" fontSize={12}>
              {item.feature}
            </text>
            <rect x={LABEL} y={3} width={Math.max(1, x(item.mean) - LABEL)} height={ROW - 6} className="bar">
              <title>{`${item.feature}: ${formatMetric(item.mean)} (${formatMetric(item.low)} to ${formatMetric(item.high)})`}</title>
            </rect>
            <line x1={x(item.low)} x2={x(item.high)} y1={ROW / 2} y2={ROW / 2} stroke="currentColor" />
          </g>
        ))}
      </svg>
    </Section>
  );
}
