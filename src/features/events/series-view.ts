// Recurring activities (issue #13), read side: a series' rule, the dates it skips (holidays, the
// desk's closures, cancelled dates: EXDATE in the .ics), the dates moved (RECURRENCE-ID), and its
// coming dates with their seats, for the event page, the .ics and the API.
import type { Db, EventStatus } from '#/server/db/database.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { weekdayName } from '#/lib/format.ts';
import { seatsOf, type Seats } from './event-seats.ts';
import { datedTimes, ruleDates, ruleOfRow, skipReason, type SeriesRule } from './series-rule.ts';
import { closureCovers, partOfRow } from './series-closures.ts';

export interface SeriesDate {
  slug: string;
  day: string;
  startsAt: Date;
  endsAt: Date | null;
  status: Extract<EventStatus, 'published' | 'cancelled'>;
  seats: Seats | null;
}

export interface SeriesInfo {
  id: number;
  slug: string;
  rule: SeriesRule;
  timesAreSample: boolean;
  /** Dates of the rule not held, ascending: on holidays, on the desk's closures, or cancelled. */
  skipped: { day: string; reason: 'holiday' | 'closure' | 'cancelled' }[];
  /** Dates held on another day or at other times than the rule's. */
  moved: { day: string; startsAt: Date; endsAt: Date | null; slug: string }[];
  /** Dates not over by `from`, soonest first (cancelled ones included, marked). */
  coming: SeriesDate[];
}

/** How many coming dates an event page lists. */
export const COMING_DATES_SHOWN = 8;

export async function seriesInfo(
  db: Db,
  seriesIds: readonly number[],
  /** Dates not over by this instant are "coming". */
  from: Date = new Date(),
  now: Date = new Date(),
): Promise<Map<number, SeriesInfo>> {
  const ids = [...new Set(seriesIds)];
  if (ids.length === 0) return new Map();
  const [series, dates] = await Promise.all([
    db.selectFrom('event_series').selectAll().where('id', 'in', ids).execute(),
    db
      .selectFrom('event')
      .select(['id', 'slug', 'series_id', 'occurrence_date', 'starts_at', 'ends_at', 'status', 'seats', 'seats_taken'])
      .where('series_id', 'in', ids)
      .where('status', 'in', ['published', 'cancelled'])
      .orderBy('starts_at')
      .execute(),
  ]);
  const seats = await seatsOf(
    db,
    dates.filter((d) => (d.ends_at ?? d.starts_at) >= from),
    now,
  );
  // The desks' closures in one query (a page or a feed may show many series).
  const deskIds = [...new Set(series.flatMap((s) => (s.desk_id === null ? [] : [s.desk_id])))];
  const closed =
    deskIds.length === 0
      ? []
      : await db
          .selectFrom('desk_closure')
          .select(['desk_id', 'day', 'closed_from', 'closed_until'])
          .where('desk_id', 'in', deskIds)
          .execute();
  const out = new Map<number, SeriesInfo>();
  for (const s of series) {
    const rule = ruleOfRow(s);
    // A part-day closure counts only when it overlaps the series' times (series-closures.ts).
    const closures = new Set(
      closed
        .filter((c) => {
          if (c.desk_id !== s.desk_id) return false;
          const at = datedTimes(rule, c.day);
          return closureCovers(c.day, partOfRow(c), at.startsAt, at.endsAt);
        })
        .map((c) => c.day),
    );
    const own = dates.filter((d) => d.series_id === s.id);
    const byDay = new Map(own.map((d) => [d.occurrence_date!, d]));
    const skipped: SeriesInfo['skipped'] = [];
    const moved: SeriesInfo['moved'] = [];
    for (const day of ruleDates(rule)) {
      const row = byDay.get(day);
      const reason = skipReason(day, closures);
      // A date cancelled because its desk closed that day (series-closures.ts) says so.
      if (row?.status === 'cancelled') skipped.push({ day, reason: reason === 'closure' ? 'closure' : 'cancelled' });
      else if (!row) skipped.push({ day, reason: reason ?? 'cancelled' });
      else if (row.starts_at.getTime() !== datedTimes(rule, day).startsAt.getTime())
        moved.push({ day, startsAt: row.starts_at, endsAt: row.ends_at, slug: row.slug });
    }
    out.set(s.id, {
      id: s.id,
      slug: s.slug,
      rule,
      timesAreSample: s.times_are_sample,
      skipped,
      moved,
      coming: own
        .filter((d) => (d.ends_at ?? d.starts_at) >= from)
        .map((d) => ({
          slug: d.slug,
          day: d.occurrence_date!,
          startsAt: d.starts_at,
          endsAt: d.ends_at,
          status: d.status as SeriesDate['status'],
          seats: seats.get(d.id) ?? null,
        })),
    });
  }
  return out;
}

/** "Every Tuesday", "Every other Tuesday", "Once a month, on the last Tuesday", in the reader's language. */
export function repeatText(rule: SeriesRule, t: Translate, locale: Locale): string {
  const weekday = weekdayName(rule.weekday, locale);
  if (rule.frequency === 'monthly') {
    const which = t(`series.which.${rule.weekOfMonth === -1 ? 'last' : String(rule.weekOfMonth ?? 1)}`);
    return t('series.every.monthly', { weekday, which });
  }
  return t(`series.every.${rule.frequency}`, { weekday });
}
