import { describe, expect, it } from 'vitest';
import { ColumnTypeInference } from './infer-column-types.ts';

function infer(columns: Record<string, (i: number) => unknown>, rows: number, declared = {}) {
  const inference = new ColumnTypeInference();
  for (let i = 0; i < rows; i++)
    inference.add(Object.fromEntries(Object.entries(columns).map(([name, value]) => [name, value(i)])));
  return inference.result(declared);
}

describe('column type inference', () => {
  it('proposes categorical for a few distinct integers, and says why', () => {
    const types = infer({ segment: (i) => (i % 12) + 1 }, 1000);
    expect(types.segment).toMatchObject({ used: 'numeric', declared: false, proposed: 'categorical' });
    expect(types.segment!.reason).toBe(
      '12 distinct integer values (1–12) in 1000 rows: likely codes; declare it numeric if the order and spacing mean something',
    );
  });

  it('keeps a 39-level code categorical but integers with many levels numeric', () => {
    const types = infer({ customerType: (i) => (i * 7) % 39, age: (i) => 18 + (i % 63) }, 2000);
    expect(types.customerType!.proposed).toBe('categorical');
    expect(types.age!.proposed).toBe('numeric');
    expect(types.age!.reason).toBe('2000 numbers, over 50 distinct values (18–80)');
  });

  it('does not call a code column categorical when each code appears about once', () => {
    // 30 rows, 30 distinct small integers: too few repeats to be codes, too few rows to be an id.
    expect(infer({ n: (i) => i }, 30).n!.proposed).toBe('numeric');
  });

  it('proposes id for columns whose every value differs', () => {
    const types = infer({ customer: (i) => `C${String(i).padStart(5, '0')}`, number: (i) => 1000 + i }, 200);
    expect(types.customer).toMatchObject({ used: 'categorical', proposed: 'id' });
    expect(types.number).toMatchObject({ used: 'numeric', proposed: 'id' });
  });

  it('takes a column whose first 10,000 values all differ as an id, and stops tracking there', () => {
    const types = infer({ account: (i) => `A${i}`, spend: (i) => (i % 997) / 10 }, 12_000);
    expect(types.account).toMatchObject({
      proposed: 'id',
      reason: 'the first 10000 of the 12000 values are all different: likely an identifier',
    });
    expect(types.spend).toMatchObject({
      proposed: 'numeric',
      reason: '12000 numbers, over 50 distinct values (0–99.6)',
    });
  });

  it('proposes timestamp for ISO dates and text for long strings', () => {
    const types = infer(
      {
        signup: (i) => `2024-0${(i % 9) + 1}-1${i % 10}`,
        note: (i) => `customer called about the invoice number ${i % 5} again`,
      },
      100,
    );
    expect(types.signup!.proposed).toBe('timestamp');
    expect(types.note!.proposed).toBe('text');
  });

  it('proposes ignore for an empty column', () => {
    expect(infer({ empty: () => null }, 10).empty).toMatchObject({ proposed: 'ignore' });
  });

  it('treats codes stored as strings (a declared categorical) as integers for the proposal', () => {
    const types = infer({ region: (i) => String((i % 5) + 1) }, 500, { region: 'categorical' });
    expect(types.region).toMatchObject({ used: 'categorical', declared: true, proposed: 'categorical' });
  });

  it('shows the proposal beside a declaration that differs from it', () => {
    const types = infer({ calls: (i) => i % 6 }, 600, { calls: 'numeric' });
    expect(types.calls).toMatchObject({ used: 'numeric', declared: true, proposed: 'categorical' });
    expect(types.calls!.reason).toMatch(/^declared numeric; 6 distinct integer values \(0–5\) in 600 rows/);
  });
});
