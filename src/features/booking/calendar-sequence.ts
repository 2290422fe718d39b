// The SEQUENCE of an appointment's (or a pledge's drop-off's) calendar file downloaded from a page.
// The emails' files carry the id of their outbox message (0 for the confirmation; outbox ids
// grow): the download carries the highest id of any message about it so far, so it supersedes every
// file already emailed, and the next change's email (a newer id) supersedes the download.
import type { Db } from '#/server/db/database.ts';

export async function calendarSequence(db: Db, about: { bookingId: number } | { pledgeId: number }): Promise<number> {
  const [column, id] =
    'bookingId' in about ? (['booking_id', about.bookingId] as const) : (['pledge_id', about.pledgeId] as const);
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.max('id').as('latest'))
    .where(column, '=', id)
    .executeTakeFirst();
  return Number(row?.latest ?? 0);
}
