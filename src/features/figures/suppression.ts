// Small-cell suppression (docs/figures.md): no published figure may single out a family. A count
// under MIN_SHOWN is hidden ("< 5"); and where a shown total is the sum of parts (a column's total
// row, "made" = attended + no-show + …), one hidden part alone would be total − the others, so the
// smallest other part is hidden too, again and again until no relation gives one hidden cell away.
// A lone hidden 0 may be read from its total: that tells of no family, so it needs no partner.

export const MIN_SHOWN = 5;

/** A cell of a grid, [row, column]. */
export type Cell = readonly [number, number];

/** A shown total and the cells that add up to it. */
export interface SumRelation {
  total: Cell;
  parts: readonly Cell[];
}

/** The grid with hidden cells as null: primary (under MIN_SHOWN) and secondary (see the top). */
export function suppress(
  values: readonly (readonly number[])[],
  relations: readonly SumRelation[],
): (number | null)[][] {
  const hidden = values.map((row) => row.map((v) => v < MIN_SHOWN));
  const isHidden = ([r, c]: Cell) => hidden[r]![c]!;
  let changed = true;
  while (changed) {
    changed = false;
    for (const { total, parts } of relations) {
      if (isHidden(total)) continue;
      const hiddenParts = parts.filter(isHidden);
      // A lone hidden part is given away by the total; if it is 0 that singles nobody out.
      if (hiddenParts.length !== 1 || values[hiddenParts[0]![0]]![hiddenParts[0]![1]] === 0) continue;
      const visible = parts.filter((p) => !isHidden(p));
      if (visible.length === 0) continue;
      const smallest = visible.reduce((a, b) => (values[b[0]]![b[1]]! < values[a[0]]![a[1]]! ? b : a));
      hidden[smallest[0]]![smallest[1]] = true;
      changed = true;
    }
  }
  return values.map((row, r) => row.map((v, c) => (hidden[r]![c] ? null : v)));
}
