// The dates of a recurring activity (issue #13), pure. The rule is expanded with `rrule` on
// "floating" wall-clock dates (a UTC Date whose fields are Rome's calendar day and time), and each
// date is then placed in Rome with romeToInstant: a Tuesday 17:00 stays 17:00 across the change to
// and from summer time, which expanding real instants would shift by an hour. Italian public
// holidays and the desk's closures are skipped.
import * as rrule from 'rrule';
import type { EventSeriesTable, SeriesFrequency } from '#/server/db/database.ts';
import type { Selectable } from 'kysely';
import { isHoliday } from '#/features/booking/holidays.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';

// rrule is CommonJS for Node (its named exports are not detected) and ESM for bundlers: take either.
const { RRule } = (rrule as unknown as { default?: typeof rrule }).default ?? rrule;

export interface SeriesRule {
  frequency: SeriesFrequency;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Monthly only: 1..4, or -1 for the last such weekday of the month. */
  weekOfMonth: number | null;
  firstDay: string;
  untilDay: string;
  /** Local Rome time "HH:MM" (or "HH:MM:SS" as PostgreSQL gives it). */
  startsTime: string;
  endsTime: string | null;
}

/** The rule of a stored series. */
export function ruleOfRow(s: Selectable<EventSeriesTable>): SeriesRule {
  return {
    frequency: s.frequency,
    weekday: s.weekday,
    weekOfMonth: s.week_of_month,
    firstDay: s.first_day,
    untilDay: s.until_day,
    startsTime: s.starts_time,
    endsTime: s.ends_time,
  };
}

export interface PlannedDate {
  day: string;
  startsAt: Date;
  endsAt: Date | null;
}

export type SkipReason = 'holiday' | 'closure';

const WEEKDAYS = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA, RRule.SU];
const pad = (n: number) => String(n).padStart(2, '0');

function floating(day: string, time = '00:00'): Date {
  const d = parseDateOnly(day);
  if (!d) throw new Error(`series-rule: not a date: ${day}`);
  const [h, m] = time.split(':').map(Number) as [number, number];
  return new Date(Date.UTC(d.year, d.month - 1, d.day, h, m));
}

const dayOf = (floatingDate: Date) =>
  `${floatingDate.getUTCFullYear()}-${pad(floatingDate.getUTCMonth() + 1)}-${pad(floatingDate.getUTCDate())}`;

function rruleOf(rule: SeriesRule) {
  const weekday = WEEKDAYS[rule.weekday - 1]!;
  return new RRule({
    freq: rule.frequency === 'monthly' ? RRule.MONTHLY : RRule.WEEKLY,
    interval: rule.frequency === 'fortnightly' ? 2 : 1,
    byweekday: [rule.frequency === 'monthly' ? weekday.nth(rule.weekOfMonth ?? 1) : weekday],
    dtstart: floating(rule.firstDay, rule.startsTime),
    until: floating(rule.untilDay, '23:59'),
  });
}

/** Every date the rule gives, holidays and closures included ("YYYY-MM-DD", ascending). */
export function ruleDates(rule: SeriesRule): string[] {
  return rruleOf(rule).all().map(dayOf);
}

/** Why a date is not held: an Italian public holiday, or a closure of the series' desk. */
export function skipReason(day: string, closures: ReadonlySet<string>): SkipReason | undefined {
  if (isHoliday(day)) return 'holiday';
  if (closures.has(day)) return 'closure';
  return undefined;
}

/** The instants of one date of the series, at the rule's local times in Rome. */
export function datedTimes(rule: Pick<SeriesRule, 'startsTime' | 'endsTime'>, day: string): PlannedDate {
  const d = parseDateOnly(day);
  if (!d) throw new Error(`series-rule: not a date: ${day}`);
  const at = (time: string) => {
    const [h, m] = time.split(':').map(Number) as [number, number];
    return romeToInstant(d.year, d.month, d.day, h, m);
  };
  return { day, startsAt: at(rule.startsTime), endsAt: rule.endsTime ? at(rule.endsTime) : null };
}

/** The dates held: the rule's dates less holidays and the desk's closures. */
export function plannedDates(rule: SeriesRule, closures: ReadonlySet<string> = new Set()): PlannedDate[] {
  return ruleDates(rule)
    .filter((day) => !skipReason(day, closures))
    .map((day) => datedTimes(rule, day));
}

/**
 * The RRULE value for iCalendar, to go with a DTSTART in Europe/Rome: UNTIL is then in UTC
 * (RFC 5545 §3.3.10), the end of the last day in Rome.
 */
export function rruleValue(rule: SeriesRule): string {
  const weekday = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][rule.weekday - 1];
  const d = parseDateOnly(rule.untilDay)!;
  const until = romeToInstant(d.year, d.month, d.day, 23, 59)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const parts = [`FREQ=${rule.frequency === 'monthly' ? 'MONTHLY' : 'WEEKLY'}`];
  if (rule.frequency === 'fortnightly') parts.push('INTERVAL=2');
  parts.push(`BYDAY=${rule.frequency === 'monthly' ? `${rule.weekOfMonth ?? 1}` : ''}${weekday}`);
  parts.push(`UNTIL=${until}`);
  return parts.join(';');
}
