/**
 * A stored evaluation's per-class attribution maps (images): for each class, integrated
 * gradients of its probability from a black image, averaged over its test images, drawn as a
 * small heatmap (red: pixels that raise the class's probability, blue: pixels that lower it).
 */
import type { PixelAttributionsResponse } from '@lathe/contract';
import { attributionCells } from '../evaluations/attribution-map.ts';
import { Section } from './common.tsx';

const SIZE = 112;

export function ClassAttributionMaps({ explanation }: { explanation: PixelAttributionsResponse }) {
  if (explanation.classes.length === 0) return null;
  const { width, height } = explanation.shape;
  const cell = SIZE / Math.max(width, height);
  return (
    <Section title="What the model looks at (pixels)">
      <p className="muted">
        Integrated gradients of each class&apos;s probability from a black image ({explanation.steps} steps),
        averaged over that class&apos;s test images ({explanation.rows.toLocaleString('en-US')} in all). Red
        pixels raise the probability, blue ones lower it; each map is scaled to its own largest value.
      </p>
      <div className="attribution-maps" style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        {explanation.classes.map((c) => (
          <figure key={c.label} style={{ margin: 0 }}>
            <svg
              data-testid="class-attribution-map"
              data-label={c.label}
              width={width * cell}
              height={height * cell}
              role="img"
              aria-label={`attribution map of class ${c.label}`}
            >
              {attributionCells(c.map, width)
                .filter((p) => p.intensity > 0.02)
                .map((p) => (
                  <rect
                    key={`${p.x},${p.y}`}
                    x={p.x * cell}
                    y={p.y * cell}
                    width={cell}
                    height={cell}
                    fill={p.sign === 'positive' ? 'rgb(220, 38, 38)' : 'rgb(37, 99, 235)'}
                    fillOpacity={p.intensity}
                  />
                ))}
            </svg>
            <figcaption className="small">
              {c.label} ({c.images} images)
            </figcaption>
          </figure>
        ))}
      </div>
    </Section>
  );
}
