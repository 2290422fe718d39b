import { describe, expect, it } from 'vitest';
import { addDays, generateSlots, weekStart, type SlotRules } from './slots.ts';
import { toRomeIso } from '#/lib/time.ts';

const rules = (over: Partial<SlotRules> = {}): SlotRules => ({
  slotMinutes: 30,
  hours: [{ weekday: 2, opens: '10:00', closes: '13:00' }],
  closures: new Set(),
  extraOpenings: [],
  minNoticeMinutes: 120,
  maxDaysAhead: 56,
  ...over,
});
const iso = (slots: { start: Date }[]) => slots.map((s) => toRomeIso(s.start));
const longAgo = new Date('2026-01-01T00:00:00Z');

describe('slot generation', () => {
  it('cuts the weekly hours into slots in Rome time', () => {
    const slots = generateSlots(rules({ maxDaysAhead: 400 }), '2026-12-14', '2026-12-20', longAgo);
    expect(iso(slots)).toEqual([
      '2026-12-15T10:00:00+01:00',
      '2026-12-15T10:30:00+01:00',
      '2026-12-15T11:00:00+01:00',
      '2026-12-15T11:30:00+01:00',
      '2026-12-15T12:00:00+01:00',
      '2026-12-15T12:30:00+01:00',
    ]);
    expect(toRomeIso(slots[5]!.end)).toBe('2026-12-15T13:00:00+01:00');
  });

  it('keeps 10:00 at 10:00 across the March and October clock changes', () => {
    const sunday = rules({
      hours: [
        { weekday: 7, opens: '10:00', closes: '11:00' },
        { weekday: 1, opens: '10:00', closes: '10:30' },
      ],
      maxDaysAhead: 800,
    });
    // Last Sunday of March 2027 is the 28th; last Sunday of October 2026 is the 25th.
    // (Monday 29 March 2027 is Easter Monday: no slot.)
    expect(iso(generateSlots(sunday, '2027-03-27', '2027-03-30', longAgo))).toEqual([
      '2027-03-28T10:00:00+02:00',
      '2027-03-28T10:30:00+02:00',
    ]);
    const october = generateSlots(sunday, '2026-10-24', '2026-10-26', longAgo);
    expect(iso(october)).toEqual([
      '2026-10-25T10:00:00+01:00',
      '2026-10-25T10:30:00+01:00',
      '2026-10-26T10:00:00+01:00',
    ]);
    expect(october.every((s) => s.end.getTime() - s.start.getTime() === 30 * 60000)).toBe(true);
    // The day before the change is still in summer time.
    expect(
      iso(
        generateSlots(
          rules({ hours: [{ weekday: 6, opens: '10:00', closes: '10:30' }], maxDaysAhead: 400 }),
          '2026-10-24',
          '2026-10-24',
          longAgo,
        ),
      ),
    ).toEqual(['2026-10-24T10:00:00+02:00']);
  });

  it('skips holidays and closures, adds extra openings', () => {
    const r = rules({
      hours: [{ weekday: 1, opens: '09:00', closes: '09:30' }],
      closures: new Set(['2026-12-14']),
      extraOpenings: [
        { day: '2026-12-08', opens: '15:00', closes: '15:30' },
        { day: '2026-12-12', opens: '10:00', closes: '10:30' },
      ],
      maxDaysAhead: 400,
    });
    // 7 Dec (Sant'Ambrogio) is a Monday holiday; 14 Dec is closed; 21 Dec is open.
    expect(iso(generateSlots(r, '2026-12-07', '2026-12-21', longAgo))).toEqual([
      '2026-12-08T15:00:00+01:00',
      '2026-12-12T10:00:00+01:00',
      '2026-12-21T09:00:00+01:00',
    ]);
  });

  it('honours the minimum notice and the booking horizon', () => {
    const now = new Date('2026-12-15T08:30:00Z'); // 09:30 in Rome
    const slots = generateSlots(rules(), '2026-12-15', '2027-03-01', now);
    // 2 hours' notice: the first bookable slot is 11:30.
    expect(iso(slots).slice(0, 2)).toEqual(['2026-12-15T11:30:00+01:00', '2026-12-15T12:00:00+01:00']);
    // 56 days ahead: 9 Feb 2027 (8 weeks later) at 10:00 is past the horizon at 09:30.
    expect(iso(slots).at(-1)).toBe('2027-02-02T12:30:00+01:00');
  });

  it('finds the Monday of a week and moves by days across months', () => {
    expect(weekStart('2026-12-17')).toBe('2026-12-14');
    expect(weekStart('2026-12-14')).toBe('2026-12-14');
    expect(weekStart('2027-01-03')).toBe('2026-12-28');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
  });
});
