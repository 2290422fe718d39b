// The worker's round for the waiting lists (issue #13): offers not answered in time lapse and their
// seats go to the next party that fits, seats freed meanwhile (lapsed sign-up holds) are offered
// (event-offers.ts, settleEventLists), and the entries of events that have started close, their
// personal data erased; joins never confirmed by their code lapse (wait-holds.ts). A lapse flips its entries from 'offered' in a conditional UPDATE, so an
// offer lapses once, and never after it was accepted (the acceptance locks the row and changes it first).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { settleEventLists } from './event-offers.ts';
import { giveDeskPlaceBack } from './desk-offers.ts';
import { ERASED } from './wait-erase.ts';
import { releaseLapsedWaitEntries } from './wait-holds.ts';

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

/** Desk offers past their time lapse, one transaction each: the place goes to the next family in turn. */
export async function lapseDeskOffers(db: Db, now: Date): Promise<number> {
  const due = await db
    .selectFrom('wait_entry')
    .select('id')
    .where('desk_id', 'is not', null)
    .where('status', '=', 'offered')
    .where('offer_expires_at', '<=', now)
    .orderBy('id')
    .execute();
  let lapsed = 0;
  for (const { id } of due)
    lapsed += await runInTransaction(db, async (trx) => {
      const entry = await trx
        .updateTable('wait_entry')
        .set({ ...ERASED, status: 'lapsed', closed_at: now })
        .where('id', '=', id)
        .where('status', '=', 'offered')
        .where('offer_expires_at', '<=', now)
        .returning('offered_slot_id')
        .executeTakeFirst();
      if (!entry) return 0;
      if (entry.offered_slot_id !== null) await giveDeskPlaceBack(trx, entry.offered_slot_id, now);
      return 1;
    });
  return lapsed;
}

/** The whole round, as the worker's housekeeping runs it; returns the offers lapsed and made. */
export async function waitingListRound(db: Db, now: Date): Promise<number> {
  const changed = (await settleEventLists(db, now)) + (await lapseDeskOffers(db, now));
  await closePastEntries(db, now);
  await releaseLapsedWaitEntries(db, now);
  return changed;
}
