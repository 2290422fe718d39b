// The rule part of the staff "new recurring activity" form (issue #13), pure. The rest of the form
// is the event form itself (event-form.ts): its start date is the first date, its start and end
// times are every date's times, and its weekday (and, monthly, which one of the month) is the rule's.
// The rule then ends on a day or after a number of dates, within a year (the event_series CHECK).
import { toLatinDigits } from '#/lib/contact.ts';
import { addDays } from '#/features/booking/slots.ts';
import type { SeriesFrequency } from '#/server/db/database.ts';
import { parseFormDate, parseFormTime } from './event-form.ts';
import { ruleDates, type SeriesRule } from './series-rule.ts';

export const SERIES_FREQUENCIES = ['weekly', 'fortnightly', 'monthly'] as const satisfies readonly SeriesFrequency[];
/** The rule's fields, in page order after the event form's. */
export const SERIES_RULE_FIELDS = ['frequency', 'untilDate', 'count'] as const;
export type SeriesRuleField = (typeof SERIES_RULE_FIELDS)[number];
export type SeriesRuleValues = Record<SeriesRuleField, string>;
/** The longest a series may run: the event_series_span CHECK (first day + 366). */
export const SERIES_MAX_DAYS = 366;
export const SERIES_MAX_COUNT = 53;

export const SERIES_ERROR_KEYS = [
  'staff.series.error.frequencyRequired',
  'staff.series.error.endRequired',
  'staff.series.error.untilInvalid',
  'staff.series.error.untilBeforeStart',
  'staff.series.error.untilTooFar',
  'staff.series.error.countInvalid',
  'staff.series.error.endSameDay',
  'staff.series.error.noDates',
];

export const emptySeriesRule = (): SeriesRuleValues => ({ frequency: 'weekly', untilDate: '', count: '' });

export function readSeriesRule(get: (name: string) => unknown): SeriesRuleValues {
  const text = (name: string) => {
    const v = get(name);
    return typeof v === 'string' ? v.slice(0, 40) : '';
  };
  return { frequency: text('frequency'), untilDate: text('untilDate'), count: text('count') };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A time as typed ("9.05", "14:30") as "HH:MM"; undefined when it is not one. */
export function formTime(value: string): string | undefined {
  const t = parseFormTime(value);
  return t && `${pad(t.hour)}:${pad(t.minute)}`;
}
/** A date as typed ("2026-12-22", "22/12/2026") as "YYYY-MM-DD"; undefined when it is not one. */
export function formDay(value: string): string | undefined {
  const d = parseFormDate(value);
  return d && iso(d);
}

const iso = (d: { year: number; month: number; day: number }) =>
  `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** ISO weekday of a day (1 = Monday) and which of the month it is: 1..4, or -1 for a fifth (the last). */
export function weekdayOf(day: string): { weekday: number; weekOfMonth: number } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
  const nth = Math.ceil(d / 7);
  return { weekday, weekOfMonth: nth > 4 ? -1 : nth };
}

export type SeriesRuleCheck = { ok: true; rule: SeriesRule } | { ok: false; errors: Record<string, string> };

/**
 * The rule from its fields and the event form's start date and times (already checked there:
 * `start` is undefined when they were wrong, and then only the rule's own fields are judged).
 * An end on another day is refused: every date starts and ends on its own day.
 */
export function checkSeriesRule(
  values: SeriesRuleValues,
  start: { day: string; startsTime: string; endsTime: string | null; endDate: string } | undefined,
): SeriesRuleCheck {
  const errors: Record<string, string> = {};
  const frequency = SERIES_FREQUENCIES.find((f) => f === values.frequency.trim());
  if (!frequency) errors.frequency = 'staff.series.error.frequencyRequired';
  const untilText = values.untilDate.trim();
  const countText = toLatinDigits(values.count).trim();
  const until = untilText ? parseFormDate(untilText) : undefined;
  const count = /^[0-9]{1,3}$/.test(countText) ? Number(countText) : NaN;
  if (!untilText && !countText) errors.untilDate = 'staff.series.error.endRequired';
  else if (untilText && !until) errors.untilDate = 'staff.series.error.untilInvalid';
  else if (!untilText && !(count >= 1 && count <= SERIES_MAX_COUNT)) errors.count = 'staff.series.error.countInvalid';
  if (start?.endDate.trim() && start.endDate.trim() !== start.day) errors.endDate = 'staff.series.error.endSameDay';
  if (!start || !frequency || Object.keys(errors).length > 0) return { ok: false, errors };

  const { weekday, weekOfMonth } = weekdayOf(start.day);
  const lastPossible = addDays(start.day, SERIES_MAX_DAYS);
  const rule: SeriesRule = {
    frequency,
    weekday,
    weekOfMonth: frequency === 'monthly' ? weekOfMonth : null,
    firstDay: start.day,
    untilDay: until ? iso(until) : lastPossible,
    startsTime: start.startsTime,
    endsTime: start.endsTime,
  };
  if (until) {
    if (rule.untilDay < start.day) return { ok: false, errors: { untilDate: 'staff.series.error.untilBeforeStart' } };
    if (rule.untilDay > lastPossible) return { ok: false, errors: { untilDate: 'staff.series.error.untilTooFar' } };
  } else {
    // "After N dates": the rule ends on its Nth date (holidays skipped later still count as dates of the rule).
    const dates = ruleDates(rule);
    if (dates.length < count) return { ok: false, errors: { count: 'staff.series.error.countInvalid' } };
    rule.untilDay = dates[count - 1]!;
  }
  if (ruleDates(rule).length === 0) return { ok: false, errors: { untilDate: 'staff.series.error.noDates' } };
  return { ok: true, rule };
}
