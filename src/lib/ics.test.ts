import { describe, expect, it } from 'vitest';
import { buildCalendar, escapeText, foldLine } from './ics.ts';
import { romeToInstant } from './time.ts';

describe('iCalendar', () => {
  it('writes an event in UTC with escaped text and CRLF line ends', () => {
    const ics = buildCalendar(
      [
        {
          uid: 'event-7@qubi',
          start: romeToInstant(2026, 12, 22, 14, 30),
          end: romeToInstant(2026, 12, 22, 17, 30),
          summary: 'Festa di Natale; laboratori, teatro',
          location: 'La Casa dei Giochi, Via Sant’Uguzzone 8, Milano',
        },
      ],
      { now: new Date('2026-11-24T10:00:00Z') },
    );
    expect(ics).toContain('\r\nDTSTART:20261222T133000Z\r\n');
    expect(ics).toContain('\r\nDTEND:20261222T163000Z\r\n');
    expect(ics).toContain('SUMMARY:Festa di Natale\\; laboratori\\, teatro');
    expect(ics).toContain('STATUS:CONFIRMED');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.split('\r\n').every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
  });

  it('marks cancelled events so calendars remove them', () => {
    const ics = buildCalendar([{ uid: 'x', start: new Date(), end: null, summary: 'x', cancelled: true }]);
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).not.toContain('DTEND');
  });

  it('folds long lines without breaking multi-byte characters', () => {
    const folded = foldLine('DESCRIPTION:' + 'مرحبا بكم في الحفلة '.repeat(10));
    const lines = folded.split('\r\n ');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe('DESCRIPTION:' + 'مرحبا بكم في الحفلة '.repeat(10));
    expect(lines.every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    expect(escapeText('a\\b\nc')).toBe('a\\\\b\\nc');
  });

  it('writes a recurring event in Rome wall time with its zone, RRULE and EXDATE; others stay in UTC', () => {
    const ics = buildCalendar(
      [
        {
          uid: 'series-1@qubi',
          start: romeToInstant(2026, 10, 20, 17, 0),
          end: romeToInstant(2026, 10, 20, 18, 30),
          summary: 'Spazio mamma-bambino',
          recurrence: {
            rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T225900Z',
            exdates: [romeToInstant(2026, 10, 27, 17, 0)],
          },
        },
        { uid: 'event-7@qubi', start: romeToInstant(2026, 12, 22, 14, 30), end: null, summary: 'Festa' },
      ],
      { now: new Date('2026-11-24T10:00:00Z') },
    );
    expect(ics).toContain('\r\nDTSTART;TZID=Europe/Rome:20261020T170000\r\n');
    expect(ics).toContain('\r\nDTEND;TZID=Europe/Rome:20261020T183000\r\n');
    // 27 October is after the change to winter time: still 17:00 on the wall.
    expect(ics).toContain('\r\nEXDATE;TZID=Europe/Rome:20261027T170000\r\n');
    expect(ics).toContain('\r\nRRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T225900Z\r\n');
    expect(ics.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    expect(ics).toContain('\r\nDTSTART:20261222T133000Z\r\n');
  });
});
