import { describe, expect, it } from 'vitest';
import { toRomeIso } from '#/lib/time.ts';
import { endOfRomeWeek, filtersQuery, readListFilters } from './event-filters.ts';

describe('events list filters', () => {
  it('reads the form’s choices and ignores anything else', () => {
    expect(readListFilters(new URLSearchParams('municipio=8&eta=3-6&settimana=1'))).toEqual({
      municipioId: 8,
      ageBand: '3-6',
      thisWeek: true,
    });
    expect(readListFilters(new URLSearchParams('municipio=12&eta=2-5&settimana=si'))).toEqual({ thisWeek: false });
    expect(readListFilters(new URLSearchParams('municipio=&eta='))).toEqual({ thisWeek: false });
  });

  it('keeps the filters in the pager’s links', () => {
    expect(filtersQuery({ municipioId: 8, ageBand: '0-3', thisWeek: true })).toBe('municipio=8&eta=0-3&settimana=1');
    expect(filtersQuery({ thisWeek: false })).toBe('');
  });

  it('ends "this week" at midnight after Sunday, in Rome, across the change of time', () => {
    // Wednesday 21 October 2026; the clocks go back on Sunday the 25th.
    expect(toRomeIso(endOfRomeWeek(new Date('2026-10-21T10:00:00Z')))).toBe('2026-10-26T00:00:00+01:00');
    // Late on a Sunday evening in Rome (already Monday in no zone, still Sunday here).
    expect(toRomeIso(endOfRomeWeek(new Date('2026-12-06T22:30:00Z')))).toBe('2026-12-07T00:00:00+01:00');
    // Just after midnight on a Monday: the week to come.
    expect(toRomeIso(endOfRomeWeek(new Date('2026-12-06T23:30:00Z')))).toBe('2026-12-14T00:00:00+01:00');
  });
});
