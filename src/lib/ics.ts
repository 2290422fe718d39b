// iCalendar (RFC 5545) files: one event to add to a calendar, or a feed of a locale's events.
// Times are written in UTC ("Z"), which every calendar converts to the reader's zone correctly.
// A recurring event is the exception: its DTSTART is Rome's wall time (TZID=Europe/Rome, with its
// VTIMEZONE) so that "every Tuesday at 17:00" stays 17:00 across the summer-time changes.
import { romeParts } from './time.ts';

export interface IcsEvent {
  uid: string;
  start: Date;
  end: Date | null;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  cancelled?: boolean;
  updated?: Date;
  /** Revision of the event: a calendar replaces its copy of the UID only with a higher SEQUENCE (0 when not given). */
  sequence?: number;
  /** Without an end: how long it lasts (RFC 5545 duration, e.g. "PT2H"); one hour when not given. */
  duration?: string;
  /** A recurring event (issue #13): the RRULE value, and the starts of the dates not held. */
  recurrence?: { rrule: string; exdates: Date[] };
  /** One date of a recurring event held otherwise: the start the rule gave it (RECURRENCE-ID). */
  recurrenceId?: Date;
}

/** An event with no end would last zero seconds in most calendars: it gets this instead. */
const DEFAULT_DURATION = 'PT1H';

function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Rome's wall time as a DATE-TIME to go with TZID=Europe/Rome. */
function romeStamp(date: Date): string {
  const p = romeParts(date);
  return `${p.year}${pad(p.month)}${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** Europe/Rome since 1996: CET, and CEST from the last Sunday of March to the last of October. */
const ROME_TIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Rome',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** Escapes TEXT values: backslash, semicolon, comma and newlines. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1). */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = encoder.encode(char).length;
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (size + bytes > limit) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function buildCalendar(events: IcsEvent[], options: { name?: string; now?: Date } = {}): string {
  const now = options.now ?? new Date();
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Comune di Milano//QuBi//IT',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`);
  if (events.some((e) => e.recurrence || e.recurrenceId)) lines.push(...ROME_TIMEZONE);
  for (const e of events) {
    const local = Boolean(e.recurrence || e.recurrenceId);
    const stamp = (name: string, date: Date) =>
      local ? `${name};TZID=Europe/Rome:${romeStamp(date)}` : `${name}:${utcStamp(date)}`;
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${utcStamp(e.updated ?? now)}`, stamp('DTSTART', e.start));
    lines.push(e.end ? stamp('DTEND', e.end) : `DURATION:${e.duration ?? DEFAULT_DURATION}`);
    if (e.recurrenceId) lines.push(stamp('RECURRENCE-ID', e.recurrenceId));
    if (e.recurrence) {
      lines.push(`RRULE:${e.recurrence.rrule}`);
      for (const x of e.recurrence.exdates) lines.push(stamp('EXDATE', x));
    }
    // Always written: a calendar compares it with the copy it has of the same UID.
    lines.push(`SEQUENCE:${Math.max(0, Math.trunc(e.sequence ?? 0))}`);
    lines.push(`SUMMARY:${escapeText(e.summary)}`);
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
    if (e.url) lines.push(`URL:${e.url}`);
    lines.push(`STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
