import { describe, expect, it } from 'vitest';
import { summarizeHours } from './hours-summary.ts';

const h = (weekday: number, opens: string, closes: string) => ({ weekday, opens, closes });

describe('summarizeHours', () => {
  it('joins consecutive days with the same ranges into one line', () => {
    const week = [1, 2, 3, 4, 5].flatMap((d) => [h(d, '14:00', '17:00'), h(d, '09:00', '13:00')]);
    expect(summarizeHours(week)).toEqual([
      {
        from: 1,
        to: 5,
        ranges: [
          { opens: '09:00', closes: '13:00' },
          { opens: '14:00', closes: '17:00' },
        ],
      },
    ]);
  });

  it('keeps days apart when their hours differ or a day between is closed', () => {
    const hours = [h(1, '09:00', '13:00'), h(2, '09:00', '13:00'), h(3, '14:00', '18:00'), h(5, '14:00', '18:00')];
    expect(summarizeHours(hours).map((l) => [l.from, l.to])).toEqual([
      [1, 2],
      [3, 3],
      [5, 5],
    ]);
  });

  it('has no line for a desk with no hours', () => {
    expect(summarizeHours([])).toEqual([]);
  });
});
