// A desk's weekly hours in a few words for the desks list: consecutive days with the same hours are
// one line ("lunedì–venerdì 09:00–13:00, 14:00–17:00"), not one line per day and range. At city scale
// (90 desks open mornings and afternoons) the list otherwise carried ~900 lines of hours and was
// slow to lay out on a phone; the desk's own page keeps the full table (OpeningHours.astro).
import type { OpeningHours } from './desks.ts';

export interface HoursLine {
  /** ISO weekdays, 1 = Monday; `to` equals `from` for a single day. */
  from: number;
  to: number;
  ranges: { opens: string; closes: string }[];
}

export function summarizeHours(hours: readonly OpeningHours[]): HoursLine[] {
  const byDay = new Map<number, { opens: string; closes: string }[]>();
  for (const h of [...hours].sort((a, b) => a.weekday - b.weekday || a.opens.localeCompare(b.opens))) {
    const ranges = byDay.get(h.weekday) ?? [];
    ranges.push({ opens: h.opens, closes: h.closes });
    byDay.set(h.weekday, ranges);
  }
  const lines: HoursLine[] = [];
  for (const [day, ranges] of byDay) {
    const last = lines.at(-1);
    const same = last && last.to === day - 1 && JSON.stringify(last.ranges) === JSON.stringify(ranges);
    if (same) last.to = day;
    else lines.push({ from: day, to: day, ranges });
  }
  return lines;
}
