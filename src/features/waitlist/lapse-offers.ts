// The worker's round for the waiting lists (issue #13): offers not answered in time lapse and their
// seats go to the next party that fits, seats freed meanwhile (lapsed sign-up holds) are offered
// (event-offers.ts, settleEventLists), and the entries of events that have started close, their
// personal data erased. A lapse flips its entries from 'offered' in a conditional UPDATE, so an
// offer lapses once, and never after it was accepted (the acceptance locks the row and changes it first).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { settleEventLists } from './event-offers.ts';
import { ERASED } from './wait-erase.ts';

/** Entries still waiting for an event that has started close without their data. */
export async function closePastEntries(db: Db, now: Date): Promise<number> {
  const past = await db
    .updateTable('wait_entry')
    .set({ ...ERASED, status: 'closed', closed_at: now })
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        eb('event_id', 'in', eb.selectFrom('event').select('id').where('starts_at', '<=', now)),
        eb('to_day', '<', sql<string>`(${now}::timestamptz AT TIME ZONE 'Europe/Rome')::date`),
      ]),
    )
    .executeTakeFirst();
  return Number(past.numUpdatedRows);
}

/** The whole round, as the worker's housekeeping runs it; returns the offers lapsed and made. */
export async function waitingListRound(db: Db, now: Date): Promise<number> {
  const changed = await settleEventLists(db, now);
  await closePastEntries(db, now);
  return changed;
}
