import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseDateOnly, romeDateString, romeOffsetMinutes, romeParts, romeToInstant, toRomeIso } from './time.ts';

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
});
