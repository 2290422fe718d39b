import { describe, expect, it } from 'vitest';
import { easterSunday, isHoliday } from './holidays.ts';

describe('holidays', () => {
  it('computes Easter', () => {
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2027)).toEqual({ month: 3, day: 28 });
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
  });
  it('closes on Easter Monday, Sant’Ambrogio and the national holidays', () => {
    expect(isHoliday('2026-04-06')).toBe(true); // Pasquetta
    expect(isHoliday('2027-03-29')).toBe(true);
    expect(isHoliday('2026-12-07')).toBe(true); // Sant'Ambrogio
    expect(isHoliday('2026-12-08')).toBe(true);
    expect(isHoliday('2026-06-02')).toBe(true);
    expect(isHoliday('2026-12-09')).toBe(false);
    expect(isHoliday('2026-04-07')).toBe(false);
  });
});
