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
});
