// The dates of a recurring activity: local times kept across the summer-time changes (last Sunday
// of March and of October), Italian public holidays and the desk's closures skipped, the RRULE the
// .ics carries.
import { describe, expect, it } from 'vitest';
import { toRomeIso } from '#/lib/time.ts';
import { plannedDates, ruleDates, rruleValue, skipReason, type SeriesRule } from './series-rule.ts';

const tuesdays: SeriesRule = {
  frequency: 'weekly',
  weekday: 2,
  weekOfMonth: null,
  firstDay: '2026-10-13',
  untilDay: '2026-11-03',
  startsTime: '17:00',
  endsTime: '18:30',
};

const local = (d: { startsAt: Date }) => toRomeIso(d.startsAt);

describe('series dates', () => {
  it('keeps 17:00 in Rome across the end of summer time (25 October 2026)', () => {
    const dates = plannedDates(tuesdays);
    expect(dates.map(local)).toEqual([
      '2026-10-13T17:00:00+02:00',
      '2026-10-20T17:00:00+02:00',
      '2026-10-27T17:00:00+01:00',
      '2026-11-03T17:00:00+01:00',
    ]);
    // In UTC the hour moves by one: what a rule expanded on instants would have got wrong.
    expect(dates.map((d) => d.startsAt.toISOString().slice(11, 16))).toEqual(['15:00', '15:00', '16:00', '16:00']);
    expect(dates.map((d) => toRomeIso(d.endsAt!).slice(11, 16))).toEqual(['18:30', '18:30', '18:30', '18:30']);
  });

  it('keeps 10:00 in Rome across the start of summer time, on the Sunday of the change itself', () => {
    const sundays: SeriesRule = {
      ...tuesdays,
      weekday: 7,
      firstDay: '2027-03-21',
      untilDay: '2027-04-04',
      startsTime: '10:00',
      endsTime: null,
    };
    expect(plannedDates(sundays).map(local)).toEqual([
      '2027-03-21T10:00:00+01:00',
      '2027-03-28T10:00:00+02:00',
      '2027-04-04T10:00:00+02:00',
    ]);
  });

  it('skips Italian public holidays and the desk’s closures', () => {
    const december: SeriesRule = { ...tuesdays, firstDay: '2026-12-01', untilDay: '2026-12-31' };
    expect(ruleDates(december)).toEqual(['2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29']);
    const held = plannedDates(december, new Set(['2026-12-15']));
    // 8 December (Immacolata) is a holiday; the 15th is the desk's closure.
    expect(held.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-22', '2026-12-29']);
    expect(skipReason('2026-12-08', new Set())).toBe('holiday');
    expect(skipReason('2026-12-15', new Set(['2026-12-15']))).toBe('closure');
    // Easter Monday 2027 (29 March) and Sant'Ambrogio (7 December) for a Monday series.
    const mondays: SeriesRule = { ...tuesdays, weekday: 1, firstDay: '2027-03-22', untilDay: '2027-04-05' };
    expect(plannedDates(mondays).map((d) => d.day)).toEqual(['2027-03-22', '2027-04-05']);
  });

  it('gives every other week and a weekday of the month', () => {
    const fortnightly: SeriesRule = { ...tuesdays, frequency: 'fortnightly', untilDay: '2026-11-24' };
    expect(ruleDates(fortnightly)).toEqual(['2026-10-13', '2026-10-27', '2026-11-10', '2026-11-24']);
    const lastTuesday: SeriesRule = {
      ...tuesdays,
      frequency: 'monthly',
      weekOfMonth: -1,
      firstDay: '2027-01-01',
      untilDay: '2027-04-30',
    };
    expect(ruleDates(lastTuesday)).toEqual(['2027-01-26', '2027-02-23', '2027-03-30', '2027-04-27']);
    const secondThursday: SeriesRule = { ...lastTuesday, weekday: 4, weekOfMonth: 2 };
    expect(ruleDates(secondThursday)).toEqual(['2027-01-14', '2027-02-11', '2027-03-11', '2027-04-08']);
  });

  it('writes the RRULE with UNTIL at the end of the last day in Rome, in UTC', () => {
    expect(rruleValue(tuesdays)).toBe('FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T225900Z');
    expect(rruleValue({ ...tuesdays, frequency: 'fortnightly' })).toBe(
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261103T225900Z',
    );
    expect(rruleValue({ ...tuesdays, frequency: 'monthly', weekOfMonth: -1, untilDay: '2027-06-30' })).toBe(
      'FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20270630T215900Z',
    );
  });
});
