// Recurring activities (issue #13) and a desk's closed days. A series held at a desk (its `desk_id`)
// is not held when that desk is closed: a date on a closure is not written when the series is saved
// (series.ts), and a closure added later (agenda/closures.ts, agenda/close-day.ts) calls
// `closeSeriesDates` inside its own transaction, so no coming date stays published, open for
// sign-up and in the .ics (a cancelled row is an EXDATE, series-view.ts) on a day the door is shut.
//
// Closures are per desk (desk_closure); there is no network-wide closure (public holidays are the
// only days every series skips, series-rule.ts). A series made in the staff area has no desk
// (series-staff.ts): only holidays apply to it, and a desk's closure never touches it.
//
// A part-day closure (closed_from/closed_until) covers a date only when their times overlap, so an
// afternoon activity goes ahead when the desk is closed in the morning. A date without an end counts
// as two hours long (EVENT_DEFAULT_DURATION, the .ics's own guess).
//
// What happens to a covered date: a published one is cancelled (it stays on its page marked
// cancelled, leaves the .ics, takes no more sign-ups). Unlike a date cancelled by hand, a date with
// families signed up is cancelled too: the door is shut either way. In the same transaction those
// families are told, their reminders withdrawn, pending holds released and the date's waiting list
// closed (date-notices.ts, the path every cancelled date takes); the staff page that added the
// closure says how many parties there were.
// Removing the closure later does not bring the dates back: they were announced as cancelled, and a
// family may have planned around that. A date not yet published (draft or submitted: never public,
// no sign-ups) is removed, as if the series had been saved after the closure; a cancelled draft
// would otherwise show on the public pages as "cancelled".
import { partiesOfEvent } from './event-seats.ts';
import type { Db } from '#/server/db/database.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';
import { noticeDatesCancelled } from './date-notices.ts';

/** Part of a day closed, as 'HH:MM' wall times in Rome; null: the whole day. */
export interface ClosedPart {
  opens: string;
  closes: string;
}

const TWO_HOURS = 2 * 60 * 60 * 1000;

function instantOf(day: string, time: string): Date {
  const d = parseDateOnly(day)!;
  const [h, m] = time.split(':').map(Number) as [number, number];
  return romeToInstant(d.year, d.month, d.day, h, m);
}

/** Whether a closure of `day` (whole, or `part` of it) covers a date held from `startsAt` to `endsAt`. */
export function closureCovers(day: string, part: ClosedPart | null, startsAt: Date, endsAt: Date | null): boolean {
  if (!part) return true;
  const end = endsAt ?? new Date(startsAt.getTime() + TWO_HOURS);
  return startsAt < instantOf(day, part.closes) && end > instantOf(day, part.opens);
}

/** The row of a closure as read from desk_closure, as a part (or null for the whole day). */
export const partOfRow = (row: { closed_from: string | null; closed_until: string | null }): ClosedPart | null =>
  row.closed_from && row.closed_until
    ? { opens: row.closed_from.slice(0, 5), closes: row.closed_until.slice(0, 5) }
    : null;

export interface SeriesDatesClosed {
  /** Published dates cancelled. */
  cancelled: number;
  /** Parties (pending or confirmed) signed up to those dates; the confirmed ones are told (date-notices.ts). */
  parties: number;
  /** Slugs of the dates changed, for the caches to forget. */
  slugs: string[];
}

/**
 * Inside the transaction that adds a closure of `deskId` on `day`: cancels the coming published
 * dates of the desk's series it covers and removes the unpublished ones. A date moved onto that day
 * counts (its start is read, not its rule's day); one moved away does not.
 */
export async function closeSeriesDates(
  trx: Db,
  deskId: number,
  day: string,
  part: ClosedPart | null,
  now: Date,
): Promise<SeriesDatesClosed> {
  const next = parseDateOnly(day)!;
  const dayAfter = new Date(Date.UTC(next.year, next.month - 1, next.day + 1));
  const rows = await trx
    .selectFrom('event')
    .innerJoin('event_series as s', 's.id', 'event.series_id')
    .select(['event.id', 'event.slug', 'event.status', 'event.starts_at', 'event.ends_at'])
    .select(partiesOfEvent)
    .where('s.desk_id', '=', deskId)
    .where('event.starts_at', '>=', instantOf(day, '00:00'))
    .where(
      'event.starts_at',
      '<',
      romeToInstant(dayAfter.getUTCFullYear(), dayAfter.getUTCMonth() + 1, dayAfter.getUTCDate()),
    )
    .where('event.starts_at', '>', now)
    .where('event.status', '<>', 'cancelled')
    .forUpdate()
    .execute();
  const covered = rows.filter((r) => closureCovers(day, part, r.starts_at, r.ends_at));
  const published = covered.filter((r) => r.status === 'published');
  const unpublished = covered.filter((r) => r.status !== 'published');
  if (published.length > 0)
    await trx
      .updateTable('event')
      .set({ status: 'cancelled', updated_at: now })
      .where(
        'id',
        'in',
        published.map((r) => r.id),
      )
      .execute();
  await noticeDatesCancelled(
    trx,
    published.map((r) => r.id),
    now,
  );
  if (unpublished.length > 0)
    await trx
      .deleteFrom('event')
      .where(
        'id',
        'in',
        unpublished.map((r) => r.id),
      )
      .execute();
  return {
    cancelled: published.length,
    parties: published.reduce((n, r) => n + Number(r.parties ?? 0), 0),
    slugs: covered.map((r) => r.slug),
  };
}
