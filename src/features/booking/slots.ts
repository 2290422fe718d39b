// Bookable slots of a desk, generated from its weekly opening hours in Rome wall-clock time.
// Pure: the caller passes closures, extra openings and "now"; the database only counts bookings.
import { isHoliday, dayKey } from './holidays.ts';
import { romeToInstant } from '#/lib/time.ts';

export interface WeeklyHours {
  weekday: number; // ISO 1 = Monday … 7 = Sunday
  opens: string; // "HH:MM"
  closes: string;
}
export interface ExtraOpening {
  day: string; // "YYYY-MM-DD"
  opens: string;
  closes: string;
}
export interface SlotRules {
  slotMinutes: number;
  hours: WeeklyHours[];
  /** Days the desk is closed ("YYYY-MM-DD"), besides public holidays. */
  closures: ReadonlySet<string>;
  extraOpenings: ExtraOpening[];
  minNoticeMinutes: number;
  maxDaysAhead: number;
}
export interface Slot {
  start: Date;
  end: Date;
  day: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Calendar days from `from` to `to` inclusive, as "YYYY-MM-DD" with their ISO weekday. */
export function daysBetween(
  from: string,
  to: string,
): { key: string; year: number; month: number; day: number; weekday: number }[] {
  const out = [];
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const cursor = new Date(Date.UTC(fy, fm - 1, fd, 12));
  for (let i = 0; i < 400; i++) {
    const key = dayKey(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, cursor.getUTCDate());
    if (key > to) break;
    out.push({
      key,
      year: cursor.getUTCFullYear(),
      month: cursor.getUTCMonth() + 1,
      day: cursor.getUTCDate(),
      weekday: ((cursor.getUTCDay() + 6) % 7) + 1,
    });
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return out;
}

/**
 * Slots starting inside the booking window (from now + minimum notice to now + max days), on the
 * days from `from` to `to`. Closed days and holidays have none; an extra opening adds hours even on them.
 */
export function generateSlots(rules: SlotRules, from: string, to: string, now: Date): Slot[] {
  const earliest = now.getTime() + rules.minNoticeMinutes * 60000;
  const latest = now.getTime() + rules.maxDaysAhead * 86400000;
  const slots: Slot[] = [];
  for (const d of daysBetween(from, to)) {
    const closed = rules.closures.has(d.key) || isHoliday(d.key);
    const intervals = [
      ...(closed ? [] : rules.hours.filter((h) => h.weekday === d.weekday)),
      ...rules.extraOpenings.filter((e) => e.day === d.key),
    ].sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens));
    for (const interval of intervals) {
      const close = minutesOf(interval.closes);
      for (let m = minutesOf(interval.opens); m + rules.slotMinutes <= close; m += rules.slotMinutes) {
        const start = romeToInstant(d.year, d.month, d.day, Math.floor(m / 60), m % 60);
        const endMinute = m + rules.slotMinutes;
        const end = romeToInstant(d.year, d.month, d.day, Math.floor(endMinute / 60), endMinute % 60);
        if (start.getTime() < earliest || start.getTime() > latest) continue;
        if (slots.some((s) => s.start.getTime() === start.getTime())) continue;
        slots.push({ start, end, day: d.key });
      }
    }
  }
  return slots;
}

/** Monday of the ISO week that contains `day`. */
export function weekStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return dayKey(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d + n, 12));
  return dayKey(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}
