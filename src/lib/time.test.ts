import { describe, expect, it } from 'vitest';
import {
  intlRomeParts,
  nextOccurrence,
  parseDateOnly,
  romeDateString,
  romeOffsetMinutes,
  romeParts,
  romeToInstant,
  toRomeIso,
} from './time.ts';

describe('Rome wall-clock time', () => {
  it('uses +01:00 in winter and +02:00 in summer', () => {
    expect(toRomeIso(romeToInstant(2026, 12, 22, 14, 30))).toBe('2026-12-22T14:30:00+01:00');
    expect(toRomeIso(romeToInstant(2026, 7, 1, 10, 0))).toBe('2026-07-01T10:00:00+02:00');
    expect(romeToInstant(2026, 12, 22, 14, 30).toISOString()).toBe('2026-12-22T13:30:00.000Z');
  });

  it('handles the spring change on the last Sunday of March', () => {
    // 29 March 2026: clocks jump from 02:00 to 03:00.
    expect(toRomeIso(romeToInstant(2026, 3, 29, 1, 30))).toBe('2026-03-29T01:30:00+01:00');
    expect(toRomeIso(romeToInstant(2026, 3, 29, 3, 0))).toBe('2026-03-29T03:00:00+02:00');
    expect(toRomeIso(romeToInstant(2026, 3, 29, 10, 0))).toBe('2026-03-29T10:00:00+02:00');
    // A skipped wall time moves forward.
    expect(toRomeIso(romeToInstant(2026, 3, 29, 2, 30))).toBe('2026-03-29T03:30:00+02:00');
  });

  it('handles the autumn change on the last Sunday of October', () => {
    // 25 October 2026: clocks go back from 03:00 to 02:00; 02:30 happens twice.
    expect(toRomeIso(romeToInstant(2026, 10, 25, 2, 30))).toBe('2026-10-25T02:30:00+02:00');
    expect(toRomeIso(romeToInstant(2026, 10, 25, 10, 0))).toBe('2026-10-25T10:00:00+01:00');
    const before = romeToInstant(2026, 10, 24, 10, 0).getTime();
    const after = romeToInstant(2026, 10, 25, 10, 0).getTime();
    expect((after - before) / 3600000).toBe(25);
  });

  it('reads parts and weekday in Rome regardless of the server zone', () => {
    const d = new Date('2026-12-31T23:30:00Z');
    expect(romeParts(d)).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0, minute: 30, weekday: 5 });
    expect(romeDateString(d)).toBe('2027-01-01');
    expect(romeOffsetMinutes(d)).toBe(60);
  });

  it('parses only real calendar dates', () => {
    expect(parseDateOnly('2026-02-28')).toEqual({ year: 2026, month: 2, day: 28 });
    expect(parseDateOnly('2026-02-30')).toBeUndefined();
    expect(parseDateOnly('2026-2-3')).toBeUndefined();
    expect(parseDateOnly("2026-01-01' OR 1=1")).toBeUndefined();
  });

  it('finds the coming occurrence of a yearly date', () => {
    expect(nextOccurrence(12, 17, new Date('2026-11-24T10:00:00Z'))).toEqual({ year: 2026, month: 12, day: 17 });
    expect(nextOccurrence(12, 17, new Date('2026-12-17T20:00:00Z'))).toEqual({ year: 2026, month: 12, day: 17 });
    expect(nextOccurrence(12, 17, new Date('2026-12-18T08:00:00Z'))).toEqual({ year: 2027, month: 12, day: 17 });
  });

  it('reads the same parts as Intl around every change of offset from 1980 to 2100 (the per-hour offset cache)', () => {
    const day = 86400000;
    const offsetOf = (ms: number) => {
      const p = intlRomeParts(new Date(ms));
      return Math.round(
        (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000) / 60000,
      );
    };
    let changes = 0;
    let previous = offsetOf(Date.UTC(1980, 0, 1));
    for (let ms = Date.UTC(1980, 0, 1); ms < Date.UTC(2100, 0, 1); ms += day) {
      const next = offsetOf(ms + day);
      if (next === previous) continue;
      previous = next;
      changes++;
      // Every 15 minutes of the day of the change and around it, and the seconds either side of each hour.
      for (let t = ms - 6 * 3600000; t <= ms + day + 6 * 3600000; t += 900000) {
        for (const at of t % 3600000 === 0 ? [t - 1000, t, t + 999] : [t]) {
          const d = new Date(at);
          expect(romeParts(d), d.toISOString()).toEqual(intlRomeParts(d));
          expect(romeOffsetMinutes(d), d.toISOString()).toBe(offsetOf(at));
        }
      }
    }
    expect(changes).toBe(240);
    // Before and after the cached range, and an arbitrary instant inside it.
    for (const iso of [
      '1899-06-01T12:00:00Z',
      '1970-07-01T10:20:30Z',
      '2250-01-01T00:00:00Z',
      '2031-05-17T08:09:10.500Z',
    ]) {
      const d = new Date(iso);
      expect(romeParts(d), iso).toEqual(intlRomeParts(d));
    }
    expect(() => romeParts(new Date(Number.NaN))).toThrow(RangeError);
  });
});
