// A family answers from its status link (issue #13): accept an offer (→ a confirmed registration,
// with its confirmation and reminder as for a sign-up, or a desk's confirmed booking), decline it (the seats go to the next party
// that fits), or leave the list. Each first flips the entry's row with a conditional UPDATE (or
// locks it), so an acceptance, a decline and the lapse of the same offer never both happen; the
// seats an offer holds were taken when it was made, so accepting takes none and cannot overbook.
import { sql } from 'kysely';
import type { Db, WaitStatus } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { hashToken, insertUnderFreshReference } from '#/features/booking/reference.ts';
import { manageTokenFor } from '#/features/booking/booking-sms.ts';
import { queueRegistrationConfirmation } from '#/features/events/registration-holds.ts';
import { WAIT_TOKEN } from './wait-token.ts';
import { ERASED } from './wait-erase.ts';
import { giveSeatsBack, offerEventSeats } from './event-offers.ts';
import { acceptDeskOffer, giveDeskPlaceBack } from './desk-offers.ts';

export type AcceptOutcome =
  | { ok: true; kind: 'event'; eventSlug: string; reference: string }
  | { ok: true; kind: 'desk'; deskSlug: string; reference: string }
  /** unknown: the link names nothing; accepted: already done; expired: the offer lapsed or was declined; not_offered: still waiting. */
  | { ok: false; reason: 'unknown' | 'already_accepted' | 'expired' | 'not_offered' };

export async function acceptOffer(
  db: Db,
  token: string,
  options: { now?: Date; reminderAt?: string } = {},
): Promise<AcceptOutcome> {
  if (!WAIT_TOKEN.test(token)) return { ok: false, reason: 'unknown' };
  const now = options.now ?? new Date();
  return runInTransaction(db, async (trx) => {
    const entry = await trx
      .selectFrom('wait_entry')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.status === 'accepted') return { ok: false, reason: 'already_accepted' };
    if (entry.status === 'waiting') return { ok: false, reason: 'not_offered' };
    if (entry.status !== 'offered' || (entry.offer_expires_at?.getTime() ?? 0) <= now.getTime())
      return { ok: false, reason: 'expired' };
    if (entry.desk_id !== null) return acceptDeskOffer(trx, entry, now, options.reminderAt);
    const event = await trx
      .selectFrom('event')
      .select(['id', 'slug', 'starts_at'])
      .where('id', '=', entry.event_id!)
      .executeTakeFirstOrThrow();
    const cancelToken = manageTokenFor(entry);
    const registration = await insertUnderFreshReference('QE', (reference) =>
      trx
        .insertInto('event_registration')
        .values({
          reference,
          event_id: event.id,
          adults: entry.adults,
          children_0_3: entry.children_0_3,
          children_3_6: entry.children_3_6,
          children_6_11: entry.children_6_11,
          children_11_14: entry.children_11_14,
          seats: entry.seats,
          name: entry.name,
          phone: entry.phone,
          email: entry.email,
          locale: entry.locale,
          status: 'confirmed',
          cancel_token_hash: cancelToken ? hashToken(cancelToken) : null,
        })
        .onConflict((oc) => oc.column('reference').doNothing())
        .returning(['id', 'reference'])
        .executeTakeFirst(),
    );
    await trx
      .updateTable('wait_entry')
      .set({ ...ERASED, status: 'accepted', registration_id: registration.id, closed_at: now })
      .where('id', '=', entry.id)
      .execute();
    await queueRegistrationConfirmation(
      trx,
      { ...entry, ...registration, slug: event.slug, starts_at: event.starts_at, cancelToken },
      now,
      options.reminderAt,
    );
    return { ok: true, kind: 'event', eventSlug: event.slug, reference: registration.reference };
  });
}

export type DeclineOutcome = { ok: true; was: 'offered' | 'waiting' } | { ok: false; reason: 'unknown' | 'closed' };

/** "No thanks" to an offer, or "take us off the list": either way the entry closes. */
export async function declineOrLeave(db: Db, token: string, now: Date = new Date()): Promise<DeclineOutcome> {
  if (!WAIT_TOKEN.test(token)) return { ok: false, reason: 'unknown' };
  return runInTransaction(db, async (trx) => {
    const entry = await trx
      .selectFrom('wait_entry')
      .select('id')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!entry) return { ok: false, reason: 'unknown' };
    const was = await closeWaitEntry(trx, entry.id, now);
    return was ? { ok: true, was } : { ok: false, reason: 'closed' };
  });
}

/**
 * Closes an entry still waiting or pending its code ('left') or offered ('declined': the seats or
 * the place it held go on to the next in turn), its personal data dropped; in the caller's
 * transaction. Undefined when it was closed already. Also the GDPR erasure's (gdpr/event-personal-data.ts).
 */
export async function closeWaitEntry(trx: Db, id: number, now: Date): Promise<'offered' | 'waiting' | undefined> {
  const closed = await trx
    .updateTable('wait_entry')
    .set({
      ...ERASED,
      status: sql<WaitStatus>`CASE WHEN status = 'offered' THEN 'declined' ELSE 'left' END`,
      closed_at: now,
    })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'waiting', 'offered'])
    .returning(['status', 'event_id', 'seats', 'offered_slot_id'])
    .executeTakeFirst();
  if (!closed) return undefined;
  if (closed.status !== 'declined') return 'waiting';
  if (closed.event_id !== null) {
    await giveSeatsBack(trx, closed.event_id, closed.seats);
    await offerEventSeats(trx, closed.event_id, now);
  } else if (closed.offered_slot_id !== null) {
    await giveDeskPlaceBack(trx, closed.offered_slot_id, now);
  }
  return 'offered';
}
