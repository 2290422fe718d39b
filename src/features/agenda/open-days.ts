// Which days of an agenda range the desk opens, and which it closed (all day or part of it): the
// week view leaves out the days the desk does not open (no hours that weekday, a public holiday,
// a closure), unless a booking is listed on them; the day view says the day is closed.
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { daysBetween } from '#/features/booking/slots.ts';
import { isHoliday } from '#/features/booking/holidays.ts';

export interface DayClosure {
  /** 'HH:MM' when only part of the day is closed. */
  from: string | null;
  until: string | null;
}

export interface RangeOpening {
  /** Days the desk opens, for at least part of the day. */
  open: Set<string>;
  /** The closures of the range by day. */
  closed: Map<string, DayClosure>;
}

export async function rangeOpening(db: Db, desk: Desk, from: string, to: string): Promise<RangeOpening> {
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select(['day', 'closed_from', 'closed_until'])
      .where('desk_id', '=', desk.id)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select('day')
      .where('desk_id', '=', desk.id)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
  ]);
  const closed = new Map(
    closures.map((c) => [
      c.day,
      { from: c.closed_from?.slice(0, 5) ?? null, until: c.closed_until?.slice(0, 5) ?? null },
    ]),
  );
  const extraDays = new Set(extra.map((e) => e.day));
  const weekdays = new Set(desk.hours.map((h) => h.weekday));
  const open = new Set(
    daysBetween(from, to)
      .filter((d) => extraDays.has(d.key) || (!closed.has(d.key) && !isHoliday(d.key) && weekdays.has(d.weekday)))
      .map((d) => d.key),
  );
  return { open, closed };
}
