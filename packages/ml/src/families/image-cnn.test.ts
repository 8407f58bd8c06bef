import { describe, expect, it } from 'vitest';
import { parseHyperparameters } from '../hyperparameters.ts';
import { seededRandom } from '../random.ts';
import { shiftedRows } from './image-cnn.ts';

/** A 4×3 two-channel image whose pixel (x, y, c) holds 1 + 10·y + x + 100·c. */
function image(): Uint8Array {
  const pixels = new Uint8Array(4 * 3 * 2);
  for (let y = 0; y < 3; y++)
    for (let x = 0; x < 4; x++)
      for (let c = 0; c < 2; c++) pixels[(y * 4 + x) * 2 + c] = 1 + 10 * y + x + 100 * c;
  return pixels;
}
const shape = { width: 4, height: 3, channels: 2 };

describe('cnn augmentation by shifts', () => {
  it('moves every pixel by the drawn offset and fills the uncovered border with 0', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ label: String(i), pixels: image() }));
    const shifted = shiftedRows(rows, shape, 1, seededRandom(3));
    let moved = 0;
    shifted.forEach((row, i) => {
      expect(row.label).toBe(String(i));
      // Recover (dx, dy) from where the original pixel (1, 1, c=0) = 12 went.
      const at = row.pixels.indexOf(12);
      const dx = ((at / 2) % 4) - 1;
      const dy = Math.floor(at / 2 / 4) - 1;
      if (dx !== 0 || dy !== 0) moved += 1;
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 4; x++) {
          for (let c = 0; c < 2; c++) {
            const sx = x - dx;
            const sy = y - dy;
            const expected = sx < 0 || sx >= 4 || sy < 0 || sy >= 3 ? 0 : 1 + 10 * sy + sx + 100 * c;
            expect(row.pixels[(y * 4 + x) * 2 + c]).toBe(expected);
          }
        }
      }
    });
    expect(moved).toBeGreaterThan(30); // 8 of 9 offsets move the image
    expect(rows[0]!.pixels).toEqual(image()); // the input rows are not modified
  });

  it('is reproducible from the seed', () => {
    const rows = Array.from({ length: 20 }, () => ({ label: 'a', pixels: image() }));
    const a = shiftedRows(rows, shape, 2, seededRandom(9)).map((r) => Array.from(r.pixels));
    const b = shiftedRows(rows, shape, 2, seededRandom(9)).map((r) => Array.from(r.pixels));
    expect(a).toEqual(b);
  });

  it('validates maxShift and convsPerBlock', () => {
    expect(parseHyperparameters('cnn', {}).maxShift).toBe(0);
    expect(() => parseHyperparameters('cnn', { maxShift: -1 })).toThrow(
      'hyperparameters.maxShift: must be ≥ 0',
    );
    expect(() => parseHyperparameters('cnn', { maxShift: 1.5 })).toThrow(
      'hyperparameters.maxShift: must be an integer',
    );
    expect(() => parseHyperparameters('cnn', { convsPerBlock: 0 })).toThrow(
      'hyperparameters.convsPerBlock: must be ≥ 1',
    );
  });
});
