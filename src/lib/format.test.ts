import { describe, expect, it } from 'vitest';
import { formatDateAndTime, formatLongDate, formatTime, formatTimeRange, telHref, weekdayName } from './format.ts';
import { romeToInstant } from './time.ts';

describe('formatting in Rome time', () => {
  const start = romeToInstant(2026, 12, 22, 14, 30);
  const end = romeToInstant(2026, 12, 22, 17, 30);

  it('shows Rome wall-clock times in every language', () => {
    expect(formatTime(start, 'it')).toBe('14:30');
    expect(formatTime(start, 'en')).toBe('14:30');
    expect(formatTime(start, 'ar')).toBe('14:30');
    expect(formatTimeRange(start, end, 'zh')).toBe('14:30–17:30');
    expect(formatTimeRange(start, null, 'es')).toBe('14:30');
  });

  it('names days in the reader’s language', () => {
    expect(formatLongDate(start, 'it')).toBe('martedì 22 dicembre 2026');
    expect(formatLongDate(start, 'en')).toBe('Tuesday, 22 December 2026');
    expect(weekdayName(2, 'it')).toBe('martedì');
    expect(weekdayName(5, 'es')).toBe('viernes');
    expect(weekdayName(7, 'en')).toBe('Sunday');
  });

  it('joins a date and its time with the comma of the reader’s script', () => {
    expect(formatDateAndTime(start, end, 'it')).toBe('martedì 22 dicembre 2026, 14:30–17:30');
    expect(formatDateAndTime(start, end, 'ar')).toMatch(/، 14:30–17:30$/);
    expect(formatDateAndTime(start, null, 'zh')).toMatch(/，14:30$/);
    expect(formatDateAndTime(start, end, 'ar')).not.toContain(', ');
  });

  it('makes dialable tel: links', () => {
    expect(telHref('351 681 8198')).toBe('tel:+393516818198');
    expect(telHref('+39 02 1234')).toBe('tel:+39021234');
  });
});
