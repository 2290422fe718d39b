// Offering an event's free seats to its waiting list (issue #13; the rule is in docs/waiting-list.md):
// in order of joining, each waiting party that fits in the seats still free is offered them; a party
// too large for what is free keeps its place and is passed over only this time, so a smaller party
// behind it may be offered first. Runs inside the transaction that freed the seats (a "we can't
// come", a declined or lapsed offer, a lapsed hold, more seats set by staff): the event's row is
// locked first, and each offer raises seats_taken with the same conditional statement a sign-up
// uses (takeSeats), so an offered seat is taken like a held one and never given twice.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { takeSeats } from '#/features/events/registrations.ts';
import { releaseLapsedRegistrations } from '#/features/events/lapsed-registrations.ts';
import { offerExpiry } from './offer-rules.ts';
import { queueWaitMessage } from './wait-messages.ts';
import { ERASED } from './wait-erase.ts';

/** Offers the event's free seats in turn; returns how many parties got an offer. */
export async function offerEventSeats(trx: Db, eventId: number, now: Date): Promise<number> {
  // NO KEY UPDATE: the lock a seats_taken update takes anyway, so a registration inserted meanwhile
  // (its foreign key takes KEY SHARE) is not blocked by it.
  const event = await trx
    .selectFrom('event')
    .select(['id', 'slug', 'seats', 'seats_taken', 'starts_at', 'status'])
    .where('id', '=', eventId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!event || event.status !== 'published' || event.seats === null) return 0;
  const expiresAt = offerExpiry(now, event.starts_at);
  if (!expiresAt) return 0;
  let free = event.seats - event.seats_taken;
  if (free <= 0) return 0;
  const queue = await trx
    .selectFrom('wait_entry')
    .select(['id', 'seats', 'reference', 'phone', 'email', 'locale'])
    .where('event_id', '=', eventId)
    .where('status', '=', 'waiting')
    .where('seats', '<=', free)
    .orderBy('id')
    .execute();
  let offered = 0;
  for (const entry of queue) {
    if (entry.seats > free) continue;
    if (!(await takeSeats(trx, eventId, entry.seats, now))) break;
    const row = await trx
      .updateTable('wait_entry')
      .set({ status: 'offered', offered_at: now, offer_expires_at: expiresAt })
      .where('id', '=', entry.id)
      .where('status', '=', 'waiting')
      .returning('id')
      .executeTakeFirst();
    if (!row) {
      // Left the list meanwhile: the seats go back at once.
      await giveSeatsBack(trx, eventId, entry.seats);
      continue;
    }
    free -= entry.seats;
    offered += 1;
    await queueWaitMessage(trx, 'waitlist_offer', entry, { eventSlug: event.slug, seats: entry.seats, expiresAt });
  }
  return offered;
}

/** Seats an offer held, given back (declined, lapsed, or its party gone). */
export async function giveSeatsBack(trx: Db, eventId: number, seats: number): Promise<void> {
  await sql`UPDATE event SET seats_taken = seats_taken - ${seats}::int WHERE id = ${eventId}::int`.execute(trx);
}

/**
 * Brings one event's list up to date in one transaction: its offers past their time lapse, its
 * lapsed sign-up holds give their seats back, and the free seats are offered. Run by the worker's
 * round and before a sign-up or a join of an event that has a list, so freed seats reach the
 * waiting families before a newcomer.
 */
export async function settleEventList(db: Db, eventId: number, now: Date): Promise<number> {
  return runInTransaction(db, async (trx) => {
    const lapsed = await trx
      .updateTable('wait_entry')
      .set({ ...ERASED, status: 'lapsed', closed_at: now })
      .where('event_id', '=', eventId)
      .where('status', '=', 'offered')
      .where('offer_expires_at', '<=', now)
      .returning('seats')
      .execute();
    const back = lapsed.reduce((n, e) => n + e.seats, 0);
    if (back > 0) await giveSeatsBack(trx, eventId, back);
    await releaseLapsedRegistrations(trx, now, eventId);
    return offerEventSeats(trx, eventId, now);
  });
}

/** Whether anyone waits on the event's list (a look-up on the list's partial index). */
export async function hasWaitingList(db: Db, eventId: number): Promise<boolean> {
  const row = await db
    .selectFrom('wait_entry')
    .select('id')
    .where('event_id', '=', eventId)
    .where('status', 'in', ['waiting', 'offered'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The worker's round: every event with a list, settled one transaction each. */
export async function settleEventLists(db: Db, now: Date): Promise<number> {
  const events = await db
    .selectFrom('wait_entry')
    .select('event_id')
    .distinct()
    .where('status', 'in', ['waiting', 'offered'])
    .where('event_id', 'is not', null)
    .execute();
  let changed = 0;
  for (const { event_id } of events) changed += await settleEventList(db, event_id!, now);
  return changed;
}
