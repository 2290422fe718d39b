// The window the subscribable calendar (/{locale}/eventi/calendario.ics) covers (issue #14): every
// event from 30 days ago to 90 days ahead, read in pages of the list's 500, instead of the first 500
// and silence. At city scale (10,000 events a year) that is some 2,500 entries; later events join the
// calendar as the window moves on, at the subscriber's next poll. docs/api.md says so.
import type { Db } from '#/server/db/database.ts';
import { listUpcomingEvents, type PublicEvent } from './events.ts';

export const CALENDAR_DAYS_BEHIND = 30;
export const CALENDAR_DAYS_AHEAD = 90;
const PAGE = 500;
const DAY = 86400000;

export async function listCalendarEvents(db: Db, now: Date = new Date()): Promise<PublicEvent[]> {
  const from = new Date(now.getTime() - CALENDAR_DAYS_BEHIND * DAY);
  const before = new Date(now.getTime() + CALENDAR_DAYS_AHEAD * DAY);
  const events: PublicEvent[] = [];
  for (;;) {
    const last = events.at(-1);
    const page = await listUpcomingEvents(db, {
      from,
      before,
      limit: PAGE,
      ...(last ? { after: { startsAt: last.startsAt, id: last.id } } : {}),
    });
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}
