/**
 * A stored per-class attribution map (height × width, row-major) as coloured cells: positive
 * attributions (pixels that raise the class's probability) red, negative blue, each cell's
 * opacity its |value| over the map's largest |value|, so every class's map uses the full scale. Pure.
 */
export interface AttributionCell {
  x: number;
  y: number;
  value: number;
  /** 0 … 1: |value| / max |value| of the map. */
  intensity: number;
  sign: 'positive' | 'negative';
}

export function attributionCells(map: readonly number[], width: number): AttributionCell[] {
  const max = Math.max(1e-12, ...map.map((v) => Math.abs(v)));
  return map.map((value, i) => ({
    x: i % width,
    y: Math.floor(i / width),
    value,
    intensity: Math.abs(value) / max,
    sign: value >= 0 ? 'positive' : 'negative',
  }));
}
