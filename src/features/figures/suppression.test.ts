import { describe, expect, it } from 'vitest';
import { suppress, type SumRelation } from './suppression.ts';

describe('small-cell suppression', () => {
  it('hides every count under 5, zero included, and shows the others', () => {
    expect(suppress([[0, 4, 5, 120]], [])).toEqual([[null, null, 5, 120]]);
  });

  it('a shown total with one hidden part hides the smallest other part, so the hidden one cannot be recomputed', () => {
    // made = attended + no-show + cancelled: 20 = 9 + 3 + 8
    const relations: SumRelation[] = [
      {
        total: [0, 0],
        parts: [
          [0, 1],
          [0, 2],
          [0, 3],
        ],
      },
    ];
    expect(suppress([[20, 9, 3, 8]], relations)).toEqual([[20, 9, null, null]]);
  });

  it('a lone hidden 0 needs no partner: reading it from the total tells of no family', () => {
    const relations: SumRelation[] = [
      {
        total: [0, 0],
        parts: [
          [0, 1],
          [0, 2],
        ],
      },
    ];
    expect(suppress([[27, 27, 0]], relations)).toEqual([[27, 27, null]]);
  });

  it('two hidden parts already keep each other: nothing more is hidden', () => {
    const relations: SumRelation[] = [
      {
        total: [0, 0],
        parts: [
          [0, 1],
          [0, 2],
          [0, 3],
        ],
      },
    ];
    expect(suppress([[30, 2, 3, 25]], relations)).toEqual([[30, null, null, 25]]);
  });

  it('a secondary suppression in a row spreads to the column it breaks, until no relation gives a cell away', () => {
    // Rows: two months and their total; columns: made, attended, no-show.
    const values = [
      [12, 9, 3],
      [15, 8, 7],
      [27, 17, 10],
    ];
    const relations: SumRelation[] = [
      ...[0, 1, 2].map((r): SumRelation => ({
        total: [r, 0],
        parts: [
          [r, 1],
          [r, 2],
        ],
      })),
      ...[0, 1, 2].map((c): SumRelation => ({
        total: [2, c],
        parts: [
          [0, c],
          [1, c],
        ],
      })),
    ];
    const shown = suppress(values, relations);
    expect(shown[0]).toEqual([12, null, null]);
    // Column "attended": 17 − 9 would give month 1 away, so month 2's 8 goes too; then its row.
    expect(shown[1]).toEqual([15, null, null]);
    expect(shown[2]).toEqual([27, 17, 10]);
    // Every relation whose total is shown has zero or at least two hidden parts.
    for (const { total, parts } of relations) {
      if (shown[total[0]]![total[1]] === null) continue;
      expect(parts.filter(([r, c]) => shown[r]![c] === null).length).not.toBe(1);
    }
  });
});
