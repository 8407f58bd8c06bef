import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { GlobalImportance } from '../components/global-importance.tsx';
import { attributionCells } from './attribution-map.ts';

describe('attributionCells', () => {
  it('places each value row-major and scales intensity by the largest |value|', () => {
    const cells = attributionCells([0.5, -1, 0, 0.25, 0, -0.5], 3);
    expect(cells.map((c) => [c.x, c.y])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(cells.map((c) => c.intensity)).toEqual([0.5, 1, 0, 0.25, 0, 0.5]);
    expect(cells[1]!.sign).toBe('negative');
    expect(cells[0]!.sign).toBe('positive');
  });

  it('draws an all-zero map without dividing by zero', () => {
    expect(attributionCells([0, 0], 2).every((c) => c.intensity === 0)).toBe(true);
  });
});

describe('the evaluation page draws stored pixel attributions', () => {
  it('draws one labelled map per class, a cell per pixel that carries attribution', () => {
    const html = renderToStaticMarkup(
      createElement(GlobalImportance, {
        explanation: {
          method: 'integrated_gradients',
          over: 'pixels',
          baseline: 'black',
          rows: 3,
          steps: 16,
          shape: { width: 2, height: 2, channels: 1 },
          classes: [
            { label: 'cat', images: 2, map: [1, 0, 0, -0.5] },
            { label: 'dog', images: 1, map: [0, 0, 0, 0] },
          ],
        },
      }),
    );
    expect(html.match(/data-testid="class-attribution-map"/g)).toHaveLength(2);
    expect(html).toContain('data-label="cat"');
    expect(html).toContain('cat (2 images)');
    // cat: two cells carry attribution (one red, one blue); dog's all-zero map draws none.
    expect(html.match(/<rect/g)).toHaveLength(2);
    expect(html).toContain('rgb(37, 99, 235)');
  });
});
