// Wall-clock time in Milan. Every date the site shows or stores is interpreted in Europe/Rome,
// whatever the server's own time zone is.
export const TIME_ZONE = 'Europe/Rome';

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  weekday: 'short',
});

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface RomeParts {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // ISO 1 = Monday … 7 = Sunday
}

// Intl is the slow part of every conversion (a booking answer makes several). Rome's offset from
// UTC is whole hours and every change since 1980 (EU rules, and Italy's own before them) happens
// on a whole UTC hour, so the offset is the same over each UTC hour: it is looked up with Intl once
// per hour and remembered; the wall-clock parts are then UTC arithmetic. Outside 1980–2199 (and for
// invalid dates, which Intl rejects) every call goes to Intl as before.
const CACHE_FROM = Date.UTC(1980, 0, 1);
const CACHE_TO = Date.UTC(2200, 0, 1);
const HOUR_MS = 3600000;
const offsetByHour = new Map<number, number>();

/** Rome's offset in minutes over the UTC hour holding `ms`, or undefined outside the cached range. */
function cachedOffset(ms: number): number | undefined {
  if (!(ms >= CACHE_FROM && ms < CACHE_TO)) return undefined;
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    offset = intlOffsetMinutes(new Date(hour * HOUR_MS));
    if (offsetByHour.size >= 50000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

export function romeParts(date: Date): RomeParts {
  const offset = cachedOffset(date.getTime());
  if (offset === undefined) return intlRomeParts(date);
  const wall = new Date(date.getTime() + offset * 60000);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay() || 7,
  };
}

/** romeParts through Intl, for any instant Intl accepts. */
export function intlRomeParts(date: Date): RomeParts {
  const parts: Record<string, string> = {};
  for (const p of partsFormatter.formatToParts(date)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** Offset of Rome from UTC at an instant, in minutes (60 in winter, 120 in summer). */
export function romeOffsetMinutes(date: Date): number {
  return cachedOffset(date.getTime()) ?? intlOffsetMinutes(date);
}

function intlOffsetMinutes(date: Date): number {
  const p = intlRomeParts(date);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/**
 * The instant at which Rome's clocks show the given wall time. A time skipped by the spring
 * change (02:00–02:59 on the last Sunday of March) moves forward by an hour; a time repeated in
 * autumn resolves to its first occurrence.
 */
export function romeToInstant(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  // Slot lists convert the same wall times again and again; Intl is the slow part, so remember them.
  const key = (((year * 13 + month) * 32 + day) * 24 + hour) * 60 + minute;
  const cached = instantCache.get(key);
  if (cached !== undefined) return new Date(cached);
  const instant = computeRomeInstant(year, month, day, hour, minute);
  if (instantCache.size >= 50000) instantCache.clear();
  instantCache.set(key, instant.getTime());
  return instant;
}

const instantCache = new Map<number, number>();

function computeRomeInstant(year: number, month: number, day: number, hour: number, minute: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - romeOffsetMinutes(new Date(wall)) * 60000;
  const offsetAtFirst = romeOffsetMinutes(new Date(first));
  const candidate = wall - offsetAtFirst * 60000;
  // In the autumn overlap the earlier instant (summer offset) is the first occurrence.
  const earlier = wall - Math.max(offsetAtFirst, romeOffsetMinutes(new Date(candidate - 3600000))) * 60000;
  const p = romeParts(new Date(earlier));
  if (p.hour === hour && p.minute === minute && p.day === day) return new Date(earlier);
  return new Date(candidate);
}

/** "YYYY-MM-DD" of the day an instant falls on in Rome. */
export function romeDateString(date: Date): string {
  const p = romeParts(date);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** ISO 8601 with Rome's offset, e.g. 2026-12-22T14:30:00+01:00 — the form the API publishes. */
export function toRomeIso(date: Date): string {
  const p = romeParts(date);
  const offset = romeOffsetMinutes(date);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Parses "YYYY-MM-DD" strictly; returns undefined for anything else, including impossible dates. */
export function parseDateOnly(
  value: string | null | undefined,
): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

/** The next date (today included) on which the given month and day fall in Rome. */
export function nextOccurrence(month: number, day: number, now: Date): { year: number; month: number; day: number } {
  const today = romeParts(now);
  const thisYear = today.month < month || (today.month === month && today.day <= day);
  return { year: thisYear ? today.year : today.year + 1, month, day };
}
